using System.Text;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Amqp;
using RabbitMQ.Client;

namespace Cadasta.WorkerToolbox.Tests.Transports.Amqp;

public class AmqpMessageMappingTests
{
    private static TransportMessage Message(
        IReadOnlyDictionary<string, object?>? headers = null, IReadOnlyDictionary<string, object?>? properties = null) => new()
    {
        Body = Encoding.UTF8.GetBytes("[[], {}, {}]"),
        Headers = headers ?? new Dictionary<string, object?>(),
        Properties = properties ?? new Dictionary<string, object?>(),
    };

    [Fact]
    public void Messages_are_persistent_with_content_type_and_encoding()
    {
        var properties = AmqpMessageMapping.ToBasicProperties(Message());

        Assert.Equal(DeliveryModes.Persistent, properties.DeliveryMode);
        Assert.Equal("application/json", properties.ContentType);
        Assert.Equal("utf-8", properties.ContentEncoding);
        Assert.False(properties.IsHeadersPresent());
    }

    [Fact]
    public void Standard_properties_become_amqp_properties()
    {
        var properties = AmqpMessageMapping.ToBasicProperties(Message(properties: new Dictionary<string, object?>
        {
            ["correlation_id"] = "id-1",
            ["reply_to"] = "2ce21e71-0267-3616-9f45-db4e2e9b0f23",
            ["delivery_mode"] = 2L,
            ["priority"] = 7L,
            ["expiration"] = "600000",
            ["message_id"] = "m-1",
            ["timestamp"] = 1_700_000_000L,
            ["type"] = "t",
            ["app_id"] = "cadasta",
        }));

        Assert.Equal("id-1", properties.CorrelationId);
        Assert.Equal("2ce21e71-0267-3616-9f45-db4e2e9b0f23", properties.ReplyTo);
        Assert.Equal(DeliveryModes.Persistent, properties.DeliveryMode);
        Assert.Equal(7, properties.Priority);
        Assert.Equal("600000", properties.Expiration);
        Assert.Equal("m-1", properties.MessageId);
        Assert.Equal(1_700_000_000L, properties.Timestamp.UnixTime);
        Assert.Equal("t", properties.Type);
        Assert.Equal("cadasta", properties.AppId);
        Assert.False(properties.IsHeadersPresent());
    }

    [Fact]
    public void Transient_delivery_mode_is_honoured()
    {
        Assert.Equal(DeliveryModes.Transient, AmqpMessageMapping.ToBasicProperties(
            Message(properties: new Dictionary<string, object?> { ["delivery_mode"] = 1L })).DeliveryMode);
        Assert.Equal(DeliveryModes.Transient, AmqpMessageMapping.ToBasicProperties(
            Message(properties: new Dictionary<string, object?> { ["delivery_mode"] = "transient" })).DeliveryMode);
    }

    [Fact]
    public void Custom_properties_travel_in_the_reserved_header_and_virtual_bookkeeping_is_dropped()
    {
        var properties = AmqpMessageMapping.ToBasicProperties(Message(
            headers: new Dictionary<string, object?> { ["task"] = "export.project" },
            properties: new Dictionary<string, object?>
            {
                ["creator_id"] = "user123",
                ["related_content_type_id"] = 42L,
                ["is_result"] = true,
                ["delivery_info"] = new Dictionary<string, object?> { ["exchange"] = "task_exchange" },
                ["delivery_tag"] = "108d1f5f",
                ["body_encoding"] = "base64",
            }));

        var headers = properties.Headers!;
        Assert.Equal("export.project", headers["task"]);
        var custom = Assert.IsType<Dictionary<string, object?>>(headers[AmqpMessageMapping.CustomPropertiesHeader]);
        Assert.Equal(["creator_id", "is_result", "related_content_type_id"], custom.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("user123", custom["creator_id"]);
        Assert.Equal(42L, custom["related_content_type_id"]);
        Assert.Equal(true, custom["is_result"]);
    }

    [Fact]
    public void Priority_zero_is_not_on_the_wire_because_RabbitMQ_Client_treats_zero_as_absent()
    {
        var properties = AmqpMessageMapping.ToBasicProperties(Message(properties: new Dictionary<string, object?> { ["priority"] = 0L }));

        Assert.False(properties.IsPriorityPresent());
    }

    [Fact]
    public void The_reserved_header_cannot_be_set_by_the_caller()
    {
        Assert.Throws<ArgumentException>(() => AmqpMessageMapping.ToBasicProperties(Message(
            headers: new Dictionary<string, object?> { [AmqpMessageMapping.CustomPropertiesHeader] = "x" })));
    }

    [Theory]
    [InlineData("priority", 300L)]
    [InlineData("priority", "high")]
    [InlineData("delivery_mode", 3L)]
    [InlineData("correlation_id", true)]
    public void Invalid_standard_property_values_are_refused(string key, object value)
    {
        var error = Assert.Throws<ArgumentException>(() => AmqpMessageMapping.ToBasicProperties(
            Message(properties: new Dictionary<string, object?> { [key] = value })));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Received_properties_come_back_under_kombu_names_with_the_custom_ones_restored()
    {
        // As RabbitMQ.Client hands them over: strings in tables are byte arrays, integers are int or long.
        var received = new BasicProperties
        {
            ContentType = "application/json",
            ContentEncoding = "utf-8",
            DeliveryMode = DeliveryModes.Persistent,
            CorrelationId = "id-1",
            ReplyTo = "r",
            Priority = 3,
            Expiration = "1000",
            Headers = new Dictionary<string, object?>
            {
                ["task"] = Encoding.UTF8.GetBytes("msg.add"),
                ["retries"] = 0L,
                ["x-dotnet-pub-seq-no"] = 17L,
                ["timelimit"] = new List<object?> { null, null },
                [AmqpMessageMapping.CustomPropertiesHeader] = new Dictionary<string, object?>
                {
                    ["creator_id"] = Encoding.UTF8.GetBytes("user123"),
                    ["is_result"] = true,
                    ["related_content_type_id"] = 42,
                },
            },
        };
        var body = new byte[] { 1, 2, 3 };

        var message = AmqpMessageMapping.ToTransportMessage(received, body);
        body[0] = 9;

        Assert.Equal(new byte[] { 1, 2, 3 }, message.Body.ToArray());
        Assert.Equal("application/json", message.ContentType);
        Assert.Equal("utf-8", message.ContentEncoding);
        Assert.Equal(["retries", "task", "timelimit"], message.Headers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("msg.add", message.Headers["task"]);
        Assert.Equal(0L, message.Headers["retries"]);
        Assert.Equal(new List<object?> { null, null }, message.Headers["timelimit"]);
        Assert.Equal("id-1", message.Properties["correlation_id"]);
        Assert.Equal("r", message.Properties["reply_to"]);
        Assert.Equal(2L, message.Properties["delivery_mode"]);
        Assert.Equal(3L, message.Properties["priority"]);
        Assert.Equal("1000", message.Properties["expiration"]);
        Assert.Equal("user123", message.Properties["creator_id"]);
        Assert.Equal(true, message.Properties["is_result"]);
        Assert.Equal(42L, message.Properties["related_content_type_id"]);
        Assert.False(message.Properties.ContainsKey("message_id"));
    }

    [Fact]
    public void A_round_trip_through_the_mapping_keeps_everything()
    {
        var sent = Message(
            headers: new Dictionary<string, object?>
            {
                ["lang"] = "py",
                ["eta"] = null,
                ["retries"] = 2L,
                ["ignore_result"] = false,
                ["timelimit"] = new List<object?> { 300L, 240.5 },
                ["nested"] = new Dictionary<string, object?> { ["k"] = new List<object?> { "v" } },
            },
            properties: new Dictionary<string, object?>
            {
                ["correlation_id"] = "c",
                ["delivery_mode"] = 2L,
                ["priority"] = 5L,
                ["creator_id"] = "u",
                ["is_result"] = true,
            });

        var received = AmqpMessageMapping.ToTransportMessage(AmqpMessageMapping.ToBasicProperties(sent), sent.Body);

        Assert.Equal(sent.Body.ToArray(), received.Body.ToArray());
        Assert.Equal(sent.Headers.OrderBy(p => p.Key, StringComparer.Ordinal), received.Headers.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(sent.Properties.OrderBy(p => p.Key, StringComparer.Ordinal), received.Properties.OrderBy(p => p.Key, StringComparer.Ordinal));
    }
}
