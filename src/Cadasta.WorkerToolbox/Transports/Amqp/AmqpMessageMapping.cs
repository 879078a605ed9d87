using System.Globalization;
using RabbitMQ.Client;

namespace Cadasta.WorkerToolbox.Transports.Amqp;

/// <summary>
/// Maps a <see cref="TransportMessage"/> to AMQP basic properties and back. The standard
/// properties (kombu's names: <c>correlation_id</c>, <c>reply_to</c>, <c>delivery_mode</c>,
/// <c>priority</c>, <c>expiration</c>, <c>message_id</c>, <c>timestamp</c>, <c>type</c>,
/// <c>user_id</c>, <c>app_id</c>, <c>cluster_id</c>) travel as AMQP properties. Every other
/// property (Cadasta's <c>creator_id</c>, <c>is_result</c>...) has no place in AMQP — py-amqp
/// drops it — so it travels in the reserved header <see cref="CustomPropertiesHeader"/> as a
/// nested table, and is restored into <see cref="TransportMessage.Properties"/> on receive.
/// A Celery worker copies unknown headers into its request context and ignores them. The
/// <c>x-dotnet-pub-seq-no</c> header RabbitMQ.Client adds when it tracks confirms is removed on receive.
/// </summary>
internal static class AmqpMessageMapping
{
    /// <summary>The reserved header carrying non-standard properties.</summary>
    public const string CustomPropertiesHeader = "x-cadasta-properties";

    /// <summary>Keys kombu's virtual transports add for their own bookkeeping; meaningless on AMQP, never carried.</summary>
    private static readonly HashSet<string> VirtualTransportKeys = new(StringComparer.Ordinal)
    {
        "delivery_info", "delivery_tag", "body_encoding",
    };

    /// <summary>Builds the AMQP properties of an outgoing message (persistent unless <c>delivery_mode</c> says 1).</summary>
    /// <param name="message">The message.</param>
    /// <exception cref="ArgumentException">A header or property value cannot be carried.</exception>
    public static BasicProperties ToBasicProperties(TransportMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var properties = new BasicProperties
        {
            ContentType = message.ContentType,
            ContentEncoding = message.ContentEncoding,
            DeliveryMode = DeliveryModes.Persistent,
        };

        if (message.Headers.ContainsKey(CustomPropertiesHeader))
        {
            throw new ArgumentException($"The header '{CustomPropertiesHeader}' is reserved by the AMQP transport.", nameof(message));
        }

        var headers = AmqpFieldValues.ToAmqpTable(message.Headers, "headers");
        var custom = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in message.Properties)
        {
            if (!TrySetStandard(properties, key, value))
            {
                if (!VirtualTransportKeys.Contains(key))
                {
                    custom[key] = AmqpFieldValues.ToAmqp(value, $"properties.{key}");
                }
            }
        }

        if (custom.Count > 0)
        {
            headers[CustomPropertiesHeader] = custom;
        }

        if (headers.Count > 0)
        {
            properties.Headers = headers;
        }

        return properties;
    }

    /// <summary>Builds the message of a delivery, copying the body (RabbitMQ.Client reuses its buffer).</summary>
    /// <param name="properties">The delivery's properties.</param>
    /// <param name="body">The delivery's body.</param>
    public static TransportMessage ToTransportMessage(IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var headers = AmqpFieldValues.FromAmqpTable(properties.Headers);

        // RabbitMQ.Client adds its confirm sequence number to every message it publishes with
        // confirmation tracking on; it is the sending channel's bookkeeping, not the message's.
        headers.Remove(Constants.PublishSequenceNumberHeader);
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (headers.Remove(CustomPropertiesHeader, out var custom) && custom is IReadOnlyDictionary<string, object?> customTable)
        {
            foreach (var (key, value) in customTable)
            {
                result[key] = value;
            }
        }

        if (properties.IsCorrelationIdPresent())
        {
            result["correlation_id"] = properties.CorrelationId;
        }

        if (properties.IsReplyToPresent())
        {
            result["reply_to"] = properties.ReplyTo;
        }

        if (properties.IsDeliveryModePresent())
        {
            result["delivery_mode"] = (long)properties.DeliveryMode;
        }

        if (properties.IsPriorityPresent())
        {
            result["priority"] = (long)properties.Priority;
        }

        if (properties.IsExpirationPresent())
        {
            result["expiration"] = properties.Expiration;
        }

        if (properties.IsMessageIdPresent())
        {
            result["message_id"] = properties.MessageId;
        }

        if (properties.IsTimestampPresent())
        {
            result["timestamp"] = properties.Timestamp.UnixTime;
        }

        if (properties.IsTypePresent())
        {
            result["type"] = properties.Type;
        }

        if (properties.IsUserIdPresent())
        {
            result["user_id"] = properties.UserId;
        }

        if (properties.IsAppIdPresent())
        {
            result["app_id"] = properties.AppId;
        }

        if (properties.IsClusterIdPresent())
        {
            result["cluster_id"] = properties.ClusterId;
        }

        return new TransportMessage
        {
            Body = body.ToArray(),
            ContentType = properties.ContentType ?? string.Empty,
            ContentEncoding = properties.ContentEncoding ?? string.Empty,
            Headers = headers,
            Properties = result,
        };
    }

    private static bool TrySetStandard(BasicProperties properties, string key, object? value)
    {
        switch (key)
        {
            case "correlation_id":
                properties.CorrelationId = AsText(key, value);
                return true;
            case "reply_to":
                properties.ReplyTo = AsText(key, value);
                return true;
            case "expiration":
                properties.Expiration = AsText(key, value);
                return true;
            case "message_id":
                properties.MessageId = AsText(key, value);
                return true;
            case "type":
                properties.Type = AsText(key, value);
                return true;
            case "user_id":
                properties.UserId = AsText(key, value);
                return true;
            case "app_id":
                properties.AppId = AsText(key, value);
                return true;
            case "cluster_id":
                properties.ClusterId = AsText(key, value);
                return true;
            case "priority":
                if (value is not null)
                {
                    properties.Priority = (byte)AsInteger(key, value, 0, 255);
                }

                return true;
            case "timestamp":
                if (value is not null)
                {
                    properties.Timestamp = new AmqpTimestamp(AsInteger(key, value, long.MinValue, long.MaxValue));
                }

                return true;
            case "delivery_mode":
                properties.DeliveryMode = value switch
                {
                    null or "persistent" => DeliveryModes.Persistent,
                    "transient" => DeliveryModes.Transient,
                    _ => (DeliveryModes)AsInteger(key, value, 1, 2),
                };
                return true;
            default:
                return false;
        }
    }

    private static string? AsText(string key, object? value) => value switch
    {
        null => null,
        string text => text,
        long or int => Convert.ToString(value, CultureInfo.InvariantCulture),
        _ => throw new ArgumentException($"The property '{key}' must be a string, not a {value.GetType().Name}.", nameof(value)),
    };

    private static long AsInteger(string key, object value, long minimum, long maximum)
    {
        var number = value switch
        {
            long n => n,
            int n => n,
            _ => throw new ArgumentException($"The property '{key}' must be an integer, not a {value.GetType().Name}.", nameof(value)),
        };
        if (number < minimum || number > maximum)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The property '{key}' must lie between {minimum} and {maximum}, not {number}."),
                nameof(value));
        }

        return number;
    }
}
