using System.Text;
using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.Tests.Protocol;

/// <summary>Every way a message can fail to be a task gives its own code and a text that says what is wrong.</summary>
public sealed class DecodeRejectionTests
{
    private const string Embed = "{\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}";

    private static Dictionary<string, object?> Headers(params (string Key, object? Value)[] changes)
    {
        var headers = new Dictionary<string, object?>
        {
            ["lang"] = "py",
            ["task"] = "msg.add",
            ["id"] = "11111111-2222-3333-4444-555555555555",
            ["eta"] = null,
            ["retries"] = 0L,
            ["timelimit"] = new List<object?> { null, null },
        };
        foreach (var (key, value) in changes)
        {
            if (value is Removed)
            {
                headers.Remove(key);
            }
            else
            {
                headers[key] = value;
            }
        }

        return headers;
    }

    private static readonly Removed Remove = new();

    private sealed class Removed;

    private static MessageError Reject(string body, Dictionary<string, object?>? headers = null, string contentType = "application/json",
        string encoding = "utf-8", Dictionary<string, object?>? properties = null) =>
        Reject(Encoding.UTF8.GetBytes(body), headers, contentType, encoding, properties);

    private static MessageError Reject(byte[] body, Dictionary<string, object?>? headers = null, string contentType = "application/json",
        string encoding = "utf-8", Dictionary<string, object?>? properties = null)
    {
        var result = TaskMessageCodec.Decode(new TransportMessage
        {
            Body = body,
            ContentType = contentType,
            ContentEncoding = encoding,
            Headers = headers ?? Headers(),
            Properties = properties ?? new Dictionary<string, object?>(),
        });
        Assert.False(result.IsSuccess);
        return result.Error;
    }

    private static void AssertError(MessageError error, MessageErrorCode code, string text)
    {
        Assert.Equal(code, error.Code);
        Assert.Equal(text, error.Text);
    }

    [Fact]
    public void Pickle_is_refused_without_being_read() =>
        AssertError(Reject([0x80, 0x04, 0x95], contentType: "application/x-python-serialize", encoding: "binary"), MessageErrorCode.PickleRefused,
            "Refusing to deserialize untrusted content of type pickle (application/x-python-serialize); only application/json is accepted.");

    [Theory]
    [InlineData("application/x-yaml")]
    [InlineData("application/x-msgpack")]
    [InlineData("application/data")]
    [InlineData("")]
    public void Any_other_content_type_is_refused(string contentType) =>
        AssertError(Reject("[[], {}, " + Embed + "]", contentType: contentType), MessageErrorCode.ContentTypeNotAccepted,
            $"Refusing content type '{contentType}'; only application/json is accepted.");

    [Fact]
    public void A_non_utf8_encoding_is_refused() =>
        AssertError(Reject("[[], {}, " + Embed + "]", encoding: "latin-1"), MessageErrorCode.ContentEncodingNotSupported,
            "Content encoding 'latin-1' is not supported; JSON task messages are utf-8.");

    [Fact]
    public void Undecodable_utf8_is_refused() =>
        AssertError(Reject([(byte)'[', 0xC3, 0x28, (byte)']']), MessageErrorCode.InvalidUtf8, "The body is not valid UTF-8 (bad byte at index 1).");

    [Fact]
    public void A_body_that_is_not_json_is_refused() =>
        AssertError(Reject("[[], {}, "), MessageErrorCode.BodyNotJson, "The body is not JSON: expecting a value at char 9.");

    [Fact]
    public void A_body_that_is_not_a_3_element_array_is_refused()
    {
        AssertError(Reject("[[], {}]"), MessageErrorCode.BodyNotTask, "The body must be a JSON array [args, kwargs, embed] of 3 elements; it has 2.");
        AssertError(Reject("{\"args\": []}"), MessageErrorCode.BodyNotTask, "The body must be a JSON array [args, kwargs, embed]; it is a JSON object.");
    }

    [Fact]
    public void A_body_that_is_neither_v2_nor_v1_is_refused() =>
        AssertError(Reject("\"hello\"", new Dictionary<string, object?>()), MessageErrorCode.BodyNotTask,
            "The body is a JSON string, not a task: expected a protocol 2 array [args, kwargs, embed] or a protocol 1 object with 'task'.");

    [Fact]
    public void Args_must_be_a_list() =>
        AssertError(Reject("[{}, {}, " + Embed + "]"), MessageErrorCode.ArgsNotList, "args (body[0]) must be a JSON array; it is a JSON object.");

    [Fact]
    public void Kwargs_must_be_an_object() =>
        AssertError(Reject("[[], [], " + Embed + "]"), MessageErrorCode.KwargsNotObject, "kwargs (body[1]) must be a JSON object; it is a JSON array.");

    [Fact]
    public void Embed_must_be_an_object() =>
        AssertError(Reject("[[], {}, null]"), MessageErrorCode.EmbedMalformed,
            "embed (body[2]) must be a JSON object with callbacks, errbacks, chain, chord; it is a JSON null.");

    [Fact]
    public void Embed_lists_must_hold_signatures()
    {
        AssertError(Reject("[[], {}, {\"callbacks\": {\"task\": \"a\"}}]"), MessageErrorCode.EmbedMalformed,
            "embed 'callbacks' must be null or a list of signatures; it is a JSON object.");
        AssertError(Reject("[[], {}, {\"chain\": [1]}]"), MessageErrorCode.EmbedMalformed,
            "embed 'chain[0]' must be a signature object; it is a JSON integer.");
        AssertError(Reject("[[], {}, {\"errbacks\": [{\"args\": []}]}]"), MessageErrorCode.EmbedMalformed,
            "embed 'errbacks[0]' is not a valid signature: a signature needs a string 'task'.");
        AssertError(Reject("[[], {}, {\"chord\": {\"task\": \"a\", \"args\": {}}}]"), MessageErrorCode.EmbedMalformed,
            "embed 'chord' is not a valid signature: signature 'a': 'args' is not a list.");
    }

    [Fact]
    public void Missing_task_or_id_header_is_refused()
    {
        AssertError(Reject("[[], {}, " + Embed + "]", Headers(("task", Remove))), MessageErrorCode.MissingField,
            "Header 'task' is missing (a protocol 2 message needs the headers 'task' and 'id').");
        AssertError(Reject("[[], {}, " + Embed + "]", Headers(("id", Remove))), MessageErrorCode.MissingField, "Header 'id' is missing.");
        AssertError(Reject("[[], {}, " + Embed + "]", Headers(("id", null))), MessageErrorCode.MissingField, "Header 'id' is missing.");
    }

    [Fact]
    public void Wrong_header_types_are_refused()
    {
        AssertError(Reject("[[], {}, " + Embed + "]", Headers(("task", 5L))), MessageErrorCode.WrongFieldType,
            "Header 'task' must be a string; it is a JSON integer (5).");
        AssertError(Reject("[[], {}, " + Embed + "]", Headers(("retries", "1"))), MessageErrorCode.WrongFieldType,
            "Header 'retries' must be an integer or null; it is a JSON string (\"1\").");
        AssertError(Reject("[[], {}, " + Embed + "]", Headers(("timelimit", new List<object?> { 1L }))), MessageErrorCode.WrongFieldType,
            "Header 'timelimit' must be a [hard, soft] array of 2 numbers or nulls; it is a JSON array ([1]).");
        AssertError(Reject("[[], {}, " + Embed + "]", Headers(("ignore_result", "no"))), MessageErrorCode.WrongFieldType,
            "Header 'ignore_result' must be a boolean or null; it is a JSON string (\"no\").");
        AssertError(Reject("[[], {}, " + Embed + "]", properties: new Dictionary<string, object?> { ["priority"] = "high" }), MessageErrorCode.WrongFieldType,
            "Property 'priority' must be an integer or null; it is a JSON string (\"high\").");
    }

    [Fact]
    public void Unparsable_eta_and_expires_are_refused()
    {
        AssertError(Reject("[[], {}, " + Embed + "]", Headers(("eta", "next tuesday"))), MessageErrorCode.InvalidTimestamp,
            "Header 'eta' is not an ISO 8601 timestamp: 'next tuesday' (expected a date YYYY-MM-DD).");
        AssertError(Reject("[[], {}, " + Embed + "]", Headers(("expires", "2026-11-28T09:34:16.1+2"))), MessageErrorCode.InvalidTimestamp,
            "Header 'expires' is not an ISO 8601 timestamp: '2026-11-28T09:34:16.1+2' (expected an offset ±HH:MM).");
    }

    [Fact]
    public void V1_bodies_are_checked_too()
    {
        var none = new Dictionary<string, object?>();
        AssertError(Reject("{\"task\": \"a\"}", none), MessageErrorCode.MissingField, "Body field 'id' is missing.");
        AssertError(Reject("{\"task\": \"a\", \"id\": \"x\", \"args\": 1}", none), MessageErrorCode.ArgsNotList, "body field 'args' must be a JSON array; it is a JSON integer.");
        AssertError(Reject("{\"task\": \"a\", \"id\": \"x\", \"kwargs\": []}", none), MessageErrorCode.KwargsNotObject, "body field 'kwargs' must be a JSON object; it is a JSON array.");
        AssertError(Reject("{\"task\": \"a\", \"id\": \"x\", \"eta\": \"soon\"}", none), MessageErrorCode.InvalidTimestamp,
            "Body field 'eta' is not an ISO 8601 timestamp: 'soon' (expected a date YYYY-MM-DD).");
    }

    [Fact]
    public void Unknown_keys_and_missing_optional_ones_are_tolerated()
    {
        // A Celery 4.x message (no group_index, no ignore_result, chord_size in signatures) with Celery 5.3's stamps added.
        var headers = new Dictionary<string, object?>
        {
            ["task"] = "export.project",
            ["id"] = "11111111-2222-3333-4444-555555555555",
            ["stamps"] = new Dictionary<string, object?>(),
            ["stamped_headers"] = new List<object?>(),
        };
        var body = "[[], {}, {\"callbacks\": [{\"task\": \"b\", \"args\": [], \"kwargs\": {}, \"options\": {}, \"subtask_type\": null, \"immutable\": false, \"chord_size\": null}]}]";
        var result = TaskMessageCodec.Decode(new TransportMessage { Body = Encoding.UTF8.GetBytes(body), Headers = headers });

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Null(result.Message.GroupIndex);
        Assert.Null(result.Message.IgnoreResult);
        Assert.Null(result.Message.RootId);
        Assert.Equal(0, result.Message.Retries);
        Assert.Equal("b", Assert.Single(result.Message.Callbacks!).Task);
        Assert.Null(result.Message.Chain);
    }
}
