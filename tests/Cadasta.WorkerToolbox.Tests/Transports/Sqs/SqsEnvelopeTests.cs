using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Sqs;

namespace Cadasta.WorkerToolbox.Tests.Transports.Sqs;

/// <summary>
/// Against a MessageBody real Celery 5.2.6 / kombu 5.2.4 wrote to the SQS emulator
/// (captured with tests/interop/sqs_capture_envelope.py).
/// </summary>
public sealed class SqsEnvelopeTests
{
    private static readonly string[] KombuAddedProperties = ["delivery_info", "priority", "body_encoding", "delivery_tag"];

    [Fact]
    public void Decodes_the_kombu_envelope()
    {
        var decoded = SqsEnvelope.Decode(Fixture().GetProperty("export_message_body").GetString()!);

        Assert.False(decoded.IsForeign);
        Assert.Equal("task_exchange", decoded.Exchange);
        Assert.Equal("export", decoded.RoutingKey);
        Assert.Equal("application/json", decoded.Message.ContentType);
        Assert.Equal("utf-8", decoded.Message.ContentEncoding);
        var body = Encoding.UTF8.GetString(decoded.Message.Body.Span);
        Assert.StartsWith("[[], {\"org_slug\": \"org\", ", body, StringComparison.Ordinal);
        Assert.EndsWith("{\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}]", body, StringComparison.Ordinal);
        Assert.Equal("export.project", decoded.Message.Headers["task"]);
        Assert.Equal(0L, decoded.Message.Headers["retries"]);
        Assert.Equal(new object?[] { null, null }, Assert.IsType<List<object?>>(decoded.Message.Headers["timelimit"]));
        Assert.Contains("Z\u00fcrich \u2603 \U0001d11e", (string)decoded.Message.Headers["kwargsrepr"]!, StringComparison.Ordinal);
        Assert.Equal("user123", decoded.Message.Properties["creator_id"]);
        Assert.Equal(42L, decoded.Message.Properties["related_content_type_id"]);
        Assert.Equal(true, decoded.Message.Properties["is_result"]);
        Assert.Equal(2L, decoded.Message.Properties["delivery_mode"]);
        Assert.Equal(Fixture().GetProperty("task_id").GetString(), decoded.Message.Properties["correlation_id"]);
        Assert.DoesNotContain("delivery_info", decoded.Message.Properties.Keys);
        Assert.DoesNotContain("delivery_tag", decoded.Message.Properties.Keys);
        Assert.DoesNotContain("body_encoding", decoded.Message.Properties.Keys);
        Assert.Matches("^[0-9a-f-]{36}$", decoded.DeliveryTag);
    }

    [Fact]
    public void Encodes_byte_for_byte_what_kombu_wrote()
    {
        var captured = Fixture().GetProperty("export_message_body").GetString()!;
        var decoded = SqsEnvelope.Decode(captured);

        // What Celery handed kombu: the envelope's properties without the keys kombu adds itself.
        var celeryProperties = KombuProperties(captured).Where(p => !KombuAddedProperties.Contains(p.Key))
            .ToDictionary(p => p.Key, p => p.Value);
        var message = new TransportMessage
        {
            Body = decoded.Message.Body,
            ContentType = decoded.Message.ContentType,
            ContentEncoding = decoded.Message.ContentEncoding,
            Headers = decoded.Message.Headers,
            Properties = celeryProperties,
        };

        var encoded = SqsEnvelope.Encode(message, "task_exchange", "export", decoded.DeliveryTag!);

        Assert.Equal(captured, encoded);
    }

    [Fact]
    public void Every_queue_copy_is_identical_as_kombu_fans_out()
    {
        var fixture = Fixture();
        Assert.Equal(fixture.GetProperty("export_message_body").GetString(), fixture.GetProperty("platform_fifo_message_body").GetString());
        Assert.Equal("default", fixture.GetProperty("platform_fifo_attributes").GetProperty("MessageGroupId").GetString());
    }

    [Fact]
    public void Writes_delivery_info_priority_body_encoding_and_tag_in_kombu_order()
    {
        var message = new TransportMessage
        {
            Body = "[[1, 2], {}, {}]"u8.ToArray(),
            Headers = new Dictionary<string, object?> { ["task"] = "msg.add" },
            Properties = new Dictionary<string, object?> { ["correlation_id"] = "c", ["delivery_mode"] = 2L },
        };

        var json = Encoding.UTF8.GetString(Convert.FromBase64String(SqsEnvelope.Encode(message, "task_exchange", "msg", "tag-1")));

        Assert.Equal(
            "{\"body\": \"W1sxLCAyXSwge30sIHt9XQ==\", \"content-encoding\": \"utf-8\", \"content-type\": \"application/json\", " +
            "\"headers\": {\"task\": \"msg.add\"}, \"properties\": {\"correlation_id\": \"c\", \"delivery_mode\": 2, " +
            "\"delivery_info\": {\"exchange\": \"task_exchange\", \"routing_key\": \"msg\"}, \"priority\": 0, " +
            "\"body_encoding\": \"base64\", \"delivery_tag\": \"tag-1\"}}",
            json);
    }

    [Fact]
    public void Raw_json_bodies_are_read_when_sqs_base64_encoding_is_off()
    {
        var message = new TransportMessage { Body = "[]"u8.ToArray(), Properties = new Dictionary<string, object?> { ["x"] = "y" } };
        var raw = SqsEnvelope.Encode(message, "", "q", "t", base64Envelope: false);

        Assert.StartsWith("{\"body\": ", raw, StringComparison.Ordinal);
        var decoded = SqsEnvelope.Decode(raw);
        Assert.Equal("[]", Encoding.UTF8.GetString(decoded.Message.Body.Span));
        Assert.Equal("y", decoded.Message.Properties["x"]);
        Assert.Equal("q", decoded.RoutingKey);
    }

    [Fact]
    public void A_foreign_payload_becomes_the_body_as_kombu_does()
    {
        const string foreign = "{\"task\": \"x\", \"args\": [1]}";

        var decoded = SqsEnvelope.Decode(foreign);

        Assert.True(decoded.IsForeign);
        Assert.Equal(foreign, Encoding.UTF8.GetString(decoded.Message.Body.Span));
        Assert.Empty(decoded.Message.Properties);
        Assert.Equal(string.Empty, decoded.RoutingKey);
    }

    [Fact]
    public void An_envelope_without_delivery_info_is_foreign_too()
    {
        const string envelope = "{\"body\": \"W10=\", \"headers\": {}, \"properties\": {\"body_encoding\": \"base64\"}}";

        var decoded = SqsEnvelope.Decode(Convert.ToBase64String(Encoding.UTF8.GetBytes(envelope)));

        // kombu 5.2.4 hands the whole envelope text to the consumer: the known cross-language break.
        Assert.True(decoded.IsForeign);
        Assert.Equal(envelope, Encoding.UTF8.GetString(decoded.Message.Body.Span));
    }

    [Theory]
    [InlineData("eyJhIjogMX0=", "{\"a\": 1}")]
    [InlineData("{\"a\": 1}", "{\"a\": 1}")]
    [InlineData("eyJhIjogMX0", "eyJhIjogMX0")]
    public void Base64_is_accepted_only_when_it_round_trips(string body, string expected) =>
        Assert.Equal(expected, SqsEnvelope.OptionalBase64Decode(body));

    [Fact]
    public void Custom_properties_survive_a_round_trip()
    {
        var message = new TransportMessage
        {
            Body = "[]"u8.ToArray(),
            Properties = new Dictionary<string, object?>
            {
                ["creator_id"] = "u1",
                ["is_result"] = true,
                ["nested"] = new Dictionary<string, object?> { ["a"] = new List<object?> { 1L, 2.5, null } },
            },
        };

        var decoded = SqsEnvelope.Decode(SqsEnvelope.Encode(message, "task_exchange", "export", "t"));

        Assert.Equal("u1", decoded.Message.Properties["creator_id"]);
        Assert.Equal(true, decoded.Message.Properties["is_result"]);
        var nested = Assert.IsType<Dictionary<string, object?>>(decoded.Message.Properties["nested"]);
        Assert.Equal(new object?[] { 1L, 2.5, null }, Assert.IsType<List<object?>>(nested["a"]));
        Assert.Equal(0L, decoded.Message.Properties["priority"]);
    }

    private static List<KeyValuePair<string, object?>> KombuProperties(string messageBody)
    {
        using var document = JsonDocument.Parse(Convert.FromBase64String(messageBody));
        return [.. document.RootElement.GetProperty("properties").EnumerateObject()
            .Select(p => new KeyValuePair<string, object?>(p.Name, JsonValueReader.ToValue(p.Value)))];
    }

    private static JsonElement Fixture([CallerFilePath] string here = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(here)!, "Fixtures", "kombu-5.2.4-export-project.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }
}
