using System.Globalization;
using System.Numerics;
using System.Text;
using Cadasta.WorkerToolbox.Python;
using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.Protocol;

/// <summary>
/// Writes task messages exactly as Celery 5.2 does (protocol 2, kombu JSON) and reads protocol
/// 2 and 1 messages. Reading never throws: a message that cannot be a task gives a
/// <see cref="MessageError"/> that says what is wrong. Only <c>application/json</c> is read;
/// pickle and every other content type are refused without being deserialized.
/// </summary>
public static class TaskMessageCodec
{
    /// <summary>The content type of every message we write and the only one we read.</summary>
    public const string JsonContentType = "application/json";

    /// <summary>kombu's pickle content type, refused on reading.</summary>
    public const string PickleContentType = "application/x-python-serialize";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly HashSet<string> StandardProperties = new(StringComparer.Ordinal)
    {
        "correlation_id", "reply_to", "delivery_mode", "priority", "expiration", "delivery_info",
        "delivery_tag", "body_encoding", "content_type", "content_encoding", "message_id", "timestamp",
        "type", "user_id", "app_id", "cluster_id",
    };

    /// <summary>The transport message Celery 5.2 would publish for <paramref name="message"/>.</summary>
    /// <param name="message">The task message.</param>
    /// <exception cref="TaskEncodingException">A value cannot be written as Celery's JSON.</exception>
    public static TransportMessage Encode(TaskMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var body = CeleryJson.Serialize(new object?[]
        {
            message.Args,
            message.Kwargs,
            new OrderedDictionary<string, object?>
            {
                ["callbacks"] = message.Callbacks,
                ["errbacks"] = message.Errbacks,
                ["chain"] = message.Chain,
                ["chord"] = message.Chord,
            },
        });

        var headers = new OrderedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["lang"] = message.Lang,
            ["task"] = message.Task,
            ["id"] = message.Id,
            ["shadow"] = message.Shadow,
            ["eta"] = message.Eta is { } eta ? CeleryTimestamp.FormatIso(eta) : null,
            ["expires"] = message.Expires is { } expires ? CeleryTimestamp.FormatIso(expires) : null,
            ["group"] = message.GroupId,
            ["group_index"] = message.GroupIndex,
            ["retries"] = message.Retries,
            ["timelimit"] = new List<object?> { Seconds(message.TimeLimit), Seconds(message.SoftTimeLimit) },
            ["root_id"] = message.RootId ?? message.Id,
            ["parent_id"] = message.ParentId,
            ["argsrepr"] = message.ArgsRepr ?? CelerySafeRepr.SafeRepr(new PythonTuple(message.Args), CelerySafeRepr.CeleryMaxSize),
            ["kwargsrepr"] = message.KwargsRepr ?? CelerySafeRepr.SafeRepr(message.Kwargs, CelerySafeRepr.CeleryMaxSize),
            ["origin"] = message.Origin,
            ["ignore_result"] = message.IgnoreResult ?? false,
        };

        var properties = new OrderedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["correlation_id"] = message.CorrelationId ?? message.Id,
            ["reply_to"] = message.ReplyTo ?? string.Empty,
        };
        foreach (var (key, value) in message.CustomProperties)
        {
            if (StandardProperties.Contains(key))
            {
                throw new TaskEncodingException($"Custom property '{key}' would overwrite the standard message property of that name.");
            }

            properties[key] = CeleryJson.Normalize(value);
        }

        properties["delivery_mode"] = 2L;
        if (message.Expiration is not null)
        {
            properties["expiration"] = message.Expiration;
        }

        properties["priority"] = message.Priority ?? 0L;

        return new TransportMessage
        {
            Body = Encoding.ASCII.GetBytes(body),
            ContentType = JsonContentType,
            ContentEncoding = "utf-8",
            Headers = headers,
            Properties = properties,
        };
    }

    // Whole seconds are written as ints (Celery users pass ints); others as floats.
    private static object? Seconds(double? seconds) => seconds switch
    {
        null => null,
        { } s when s == Math.Floor(s) && Math.Abs(s) < 1e15 => (long)s,
        { } s => s,
    };

    /// <summary>Reads a transport message as a task, or says why it is not one.</summary>
    /// <param name="message">The message received.</param>
    public static TaskMessageDecodeResult Decode(TransportMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var contentType = (message.ContentType ?? string.Empty).Trim();
        if (string.Equals(contentType, PickleContentType, StringComparison.OrdinalIgnoreCase))
        {
            return TaskMessageDecodeResult.Failure(MessageErrorCode.PickleRefused,
                $"Refusing to deserialize untrusted content of type pickle ({PickleContentType}); only {JsonContentType} is accepted.");
        }

        if (!string.Equals(contentType, JsonContentType, StringComparison.OrdinalIgnoreCase))
        {
            return TaskMessageDecodeResult.Failure(MessageErrorCode.ContentTypeNotAccepted,
                $"Refusing content type '{contentType}'; only {JsonContentType} is accepted.");
        }

        var encoding = (message.ContentEncoding ?? string.Empty).Trim();
        if (encoding.Length > 0 && !encoding.Equals("utf-8", StringComparison.OrdinalIgnoreCase) &&
            !encoding.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            return TaskMessageDecodeResult.Failure(MessageErrorCode.ContentEncodingNotSupported,
                $"Content encoding '{encoding}' is not supported; JSON task messages are utf-8.");
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(message.Body.Span);
        }
        catch (DecoderFallbackException exception)
        {
            return TaskMessageDecodeResult.Failure(MessageErrorCode.InvalidUtf8,
                $"The body is not valid UTF-8 (bad byte at index {exception.Index}).");
        }

        object? body;
        try
        {
            body = CeleryJson.Parse(text);
        }
        catch (FormatException exception)
        {
            return TaskMessageDecodeResult.Failure(MessageErrorCode.BodyNotJson, $"The body is not JSON: {exception.Message}.");
        }

        try
        {
            // A transport may hand over null dictionaries; treat them as empty rather than fail obscurely.
            var headers = message.Headers ?? new Dictionary<string, object?>();
            var properties = message.Properties ?? new Dictionary<string, object?>();
            if (headers.ContainsKey("task"))
            {
                return DecodeV2(headers, properties, body);
            }

            if (body is IReadOnlyDictionary<string, object?> v1 && v1.ContainsKey("task"))
            {
                return DecodeV1(properties, v1);
            }

            return body is IReadOnlyList<object?>
                ? TaskMessageDecodeResult.Failure(MessageErrorCode.MissingField, "Header 'task' is missing (a protocol 2 message needs the headers 'task' and 'id').")
                : TaskMessageDecodeResult.Failure(MessageErrorCode.BodyNotTask,
                    $"The body is a JSON {JsonKind(body)}, not a task: expected a protocol 2 array [args, kwargs, embed] or a protocol 1 object with 'task'.");
        }
        catch (InvalidMessageException exception)
        {
            return TaskMessageDecodeResult.Failure(exception.Code, exception.Message);
        }
    }

    private static TaskMessageDecodeResult DecodeV2(IReadOnlyDictionary<string, object?> headers, IReadOnlyDictionary<string, object?> properties, object? body)
    {
        var fields = new FieldReader(headers, "header");
        var task = fields.RequiredString("task");
        var id = fields.RequiredString("id");
        if (body is not IReadOnlyList<object?> { Count: 3 } parts)
        {
            throw new InvalidMessageException(MessageErrorCode.BodyNotTask, body is IReadOnlyList<object?> list
                ? $"The body must be a JSON array [args, kwargs, embed] of 3 elements; it has {list.Count}."
                : $"The body must be a JSON array [args, kwargs, embed]; it is a JSON {JsonKind(body)}.");
        }

        var args = parts[0] as IReadOnlyList<object?> ?? throw new InvalidMessageException(MessageErrorCode.ArgsNotList,
            $"args (body[0]) must be a JSON array; it is a JSON {JsonKind(parts[0])}.");
        var kwargs = parts[1] as IReadOnlyDictionary<string, object?> ?? throw new InvalidMessageException(MessageErrorCode.KwargsNotObject,
            $"kwargs (body[1]) must be a JSON object; it is a JSON {JsonKind(parts[1])}.");
        var embed = parts[2] as IReadOnlyDictionary<string, object?> ?? throw new InvalidMessageException(MessageErrorCode.EmbedMalformed,
            $"embed (body[2]) must be a JSON object with callbacks, errbacks, chain, chord; it is a JSON {JsonKind(parts[2])}.");
        var (hard, soft) = fields.TimeLimit("timelimit");
        var props = new FieldReader(properties, "property");
        return TaskMessageDecodeResult.Success(new TaskMessage
        {
            ProtocolVersion = 2,
            Lang = headers.GetValueOrDefault("lang") as string, // informative only; no worker checks it
            Task = task,
            Id = id,
            Args = args,
            Kwargs = kwargs,
            Shadow = fields.OptionalString("shadow"),
            Eta = fields.Timestamp("eta"),
            Expires = fields.Timestamp("expires"),
            GroupId = fields.OptionalString("group"),
            GroupIndex = fields.OptionalInteger("group_index"),
            Retries = fields.OptionalInteger("retries") ?? 0,
            TimeLimit = hard,
            SoftTimeLimit = soft,
            RootId = fields.OptionalString("root_id"),
            ParentId = fields.OptionalString("parent_id"),
            ArgsRepr = fields.OptionalString("argsrepr"),
            KwargsRepr = fields.OptionalString("kwargsrepr"),
            Origin = fields.OptionalString("origin"),
            IgnoreResult = fields.OptionalBool("ignore_result"),
            Callbacks = Signatures(embed, "callbacks"),
            Errbacks = Signatures(embed, "errbacks"),
            Chain = Signatures(embed, "chain"),
            Chord = OneSignature(embed, "chord"),
            CorrelationId = props.OptionalString("correlation_id"),
            ReplyTo = props.OptionalString("reply_to"),
            Priority = props.OptionalInteger("priority"),
            Expiration = props.OptionalString("expiration"),
            CustomProperties = Custom(properties),
        });
    }

    private static TaskMessageDecodeResult DecodeV1(IReadOnlyDictionary<string, object?> properties, IReadOnlyDictionary<string, object?> body)
    {
        var fields = new FieldReader(body, "body field");
        var task = fields.RequiredString("task");
        var id = fields.RequiredString("id");
        var args = body.GetValueOrDefault("args") switch
        {
            null => [],
            IReadOnlyList<object?> list => list,
            var other => throw new InvalidMessageException(MessageErrorCode.ArgsNotList, $"body field 'args' must be a JSON array; it is a JSON {JsonKind(other)}."),
        };
        var kwargs = body.GetValueOrDefault("kwargs") switch
        {
            null => new Dictionary<string, object?>(),
            IReadOnlyDictionary<string, object?> map => map,
            var other => throw new InvalidMessageException(MessageErrorCode.KwargsNotObject, $"body field 'kwargs' must be a JSON object; it is a JSON {JsonKind(other)}."),
        };
        var (hard, soft) = fields.TimeLimit("timelimit");
        var props = new FieldReader(properties, "property");
        // proto1_to_proto2: group comes from 'taskset' when present, reprs are computed, no chain.
        var group = body.ContainsKey("taskset") ? fields.OptionalString("taskset") : fields.OptionalString("group");
        return TaskMessageDecodeResult.Success(new TaskMessage
        {
            ProtocolVersion = 1,
            Lang = body.GetValueOrDefault("lang") as string,
            Task = task,
            Id = id,
            Args = args,
            Kwargs = kwargs,
            Shadow = fields.OptionalString("shadow"),
            Eta = fields.Timestamp("eta"),
            Expires = fields.Timestamp("expires"),
            GroupId = group,
            GroupIndex = fields.OptionalInteger("group_index"),
            Retries = fields.OptionalInteger("retries") ?? 0,
            TimeLimit = hard,
            SoftTimeLimit = soft,
            RootId = fields.OptionalString("root_id"),
            ParentId = fields.OptionalString("parent_id"),
            ArgsRepr = CelerySafeRepr.SafeRepr(args),
            KwargsRepr = CelerySafeRepr.SafeRepr(kwargs),
            Origin = fields.OptionalString("origin"),
            IgnoreResult = null,
            Callbacks = Signatures(body, "callbacks"),
            Errbacks = Signatures(body, "errbacks"),
            Chain = null,
            Chord = OneSignature(body, "chord"),
            CorrelationId = props.OptionalString("correlation_id"),
            ReplyTo = props.OptionalString("reply_to"),
            Priority = props.OptionalInteger("priority"),
            Expiration = props.OptionalString("expiration"),
            CustomProperties = Custom(properties),
        });
    }

    private static OrderedDictionary<string, object?> Custom(IReadOnlyDictionary<string, object?> properties)
    {
        var custom = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in properties)
        {
            if (!StandardProperties.Contains(key))
            {
                custom[key] = value;
            }
        }

        return custom;
    }

    private static List<Signature>? Signatures(IReadOnlyDictionary<string, object?> embed, string key)
    {
        var value = embed.GetValueOrDefault(key);
        if (value is null)
        {
            return null;
        }

        if (value is not IReadOnlyList<object?> items)
        {
            throw new InvalidMessageException(MessageErrorCode.EmbedMalformed, $"embed '{key}' must be null or a list of signatures; it is a JSON {JsonKind(value)}.");
        }

        var signatures = new List<Signature>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            signatures.Add(ReadSignature(items[i], $"{key}[{i}]"));
        }

        return signatures;
    }

    private static Signature? OneSignature(IReadOnlyDictionary<string, object?> embed, string key)
    {
        var value = embed.GetValueOrDefault(key);
        return value is null ? null : ReadSignature(value, key);
    }

    private static Signature ReadSignature(object? value, string where)
    {
        if (value is not IReadOnlyDictionary<string, object?> dictionary)
        {
            throw new InvalidMessageException(MessageErrorCode.EmbedMalformed, $"embed '{where}' must be a signature object; it is a JSON {JsonKind(value)}.");
        }

        try
        {
            return Signature.FromDictionary(dictionary);
        }
        catch (FormatException exception)
        {
            throw new InvalidMessageException(MessageErrorCode.EmbedMalformed, $"embed '{where}' is not a valid signature: {exception.Message}.");
        }
    }

    internal static string JsonKind(object? value) => value switch
    {
        null => "null",
        bool => "boolean",
        string => "string",
        long or int or BigInteger => "integer",
        double => "float",
        IReadOnlyDictionary<string, object?> => "object",
        IReadOnlyList<object?> => "array",
        _ => value.GetType().Name,
    };

    private sealed class FieldReader(IReadOnlyDictionary<string, object?> fields, string what)
    {
        public string RequiredString(string name)
        {
            if (!fields.TryGetValue(name, out var value) || value is null)
            {
                throw new InvalidMessageException(MessageErrorCode.MissingField, $"{Capitalized} '{name}' is missing.");
            }

            return value as string ?? throw WrongType(name, "a string", value);
        }

        public string? OptionalString(string name) => fields.GetValueOrDefault(name) switch
        {
            null => null,
            string s => s,
            var other => throw WrongType(name, "a string or null", other),
        };

        public bool? OptionalBool(string name) => fields.GetValueOrDefault(name) switch
        {
            null => null,
            bool b => b,
            var other => throw WrongType(name, "a boolean or null", other),
        };

        public long? OptionalInteger(string name) => fields.GetValueOrDefault(name) switch
        {
            null => null,
            long l => l,
            int i => i,
            short s => s,
            byte b => b,
            sbyte b => b,
            ushort u => u,
            uint u => u,
            var other => throw WrongType(name, "an integer or null", other),
        };

        public DateTimeOffset? Timestamp(string name)
        {
            var text = OptionalString(name);
            if (string.IsNullOrEmpty(text))
            {
                return null;
            }

            return CeleryTimestamp.TryParse(text, out var value, out var error)
                ? value
                : throw new InvalidMessageException(MessageErrorCode.InvalidTimestamp, $"{Capitalized} '{name}' is not an ISO 8601 timestamp: '{text}' ({error}).");
        }

        public (double? Hard, double? Soft) TimeLimit(string name)
        {
            var value = fields.GetValueOrDefault(name);
            if (value is null)
            {
                return (null, null);
            }

            if (value is not IReadOnlyList<object?> { Count: 2 } pair)
            {
                throw WrongType(name, "a [hard, soft] array of 2 numbers or nulls", value);
            }

            return (Number(name, pair[0]), Number(name, pair[1]));
        }

        private double? Number(string name, object? value) => value switch
        {
            null => null,
            long l => l,
            int i => i,
            double d => d,
            BigInteger b => (double)b,
            _ => throw WrongType(name, "a [hard, soft] array of 2 numbers or nulls", value),
        };

        private string Capitalized => char.ToUpperInvariant(what[0]) + what[1..];

        private InvalidMessageException WrongType(string name, string expected, object? found) =>
            new(MessageErrorCode.WrongFieldType,
                $"{Capitalized} '{name}' must be {expected}; it is a JSON {JsonKind(found)} ({Shorten(found)}).");

        private static string Shorten(object? found)
        {
            string text;
            try
            {
                text = CeleryJson.Serialize(found);
            }
            catch (TaskEncodingException)
            {
                // A transport handed over a non-JSON CLR value (bytes...): name its type instead.
                text = found?.GetType().ToString() ?? "null";
            }

            return text.Length > 60 ? text[..60] + "..." : text;
        }
    }

    private sealed class InvalidMessageException(MessageErrorCode code, string message) : Exception(message)
    {
        public MessageErrorCode Code { get; } = code;
    }
}
