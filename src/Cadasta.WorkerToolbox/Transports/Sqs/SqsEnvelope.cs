using System.Text;
using System.Text.Json;
using Cadasta.WorkerToolbox.Python;

namespace Cadasta.WorkerToolbox.Transports.Sqs;

/// <summary>
/// The message envelope kombu's virtual transports write (<c>Channel.prepare_message</c> and
/// <c>_inplace_augment_message</c>) and its SQS transport puts in <c>MessageBody</c>:
/// base64 of the UTF-8 JSON <c>{"body": base64(body), "content-encoding", "content-type",
/// "headers", "properties": {…, "delivery_info": {"exchange", "routing_key"}, "priority",
/// "body_encoding": "base64", "delivery_tag"}}</c>, in that key order, as Python's
/// <c>json.dumps</c> writes it. Decoding follows kombu 5.2.4's <c>_message_to_python</c>.
/// </summary>
internal static class SqsEnvelope
{
    public const string DeliveryInfoKey = "delivery_info";
    public const string DeliveryTagKey = "delivery_tag";
    public const string BodyEncodingKey = "body_encoding";

    /// <summary>The content type of a message whose SQS body is not a kombu envelope nor JSON: its raw text is the body.</summary>
    public const string UndecodableContentType = "application/x-undecodable-sqs-envelope";

    /// <summary>Encodes a message published to <paramref name="exchange"/> with <paramref name="routingKey"/>.</summary>
    /// <param name="message">The message.</param>
    /// <param name="exchange">The exchange ("" for the anonymous one).</param>
    /// <param name="routingKey">The routing key.</param>
    /// <param name="deliveryTag">kombu's per-publish tag (a fresh UUID; the same for every queue copy).</param>
    /// <param name="base64Envelope">kombu's <c>sqs_base64_encoding</c> (true by default).</param>
    public static string Encode(TransportMessage message, string exchange, string routingKey, string deliveryTag, bool base64Envelope = true)
    {
        ArgumentNullException.ThrowIfNull(message);

        // kombu: properties.setdefault('delivery_info', {}), setdefault('priority', 0), then
        // update(body_encoding, delivery_tag) and delivery_info.update(exchange, routing_key).
        var properties = new List<KeyValuePair<string, object?>>(message.Properties.Count + 4);
        properties.AddRange(message.Properties);
        var deliveryInfo = new List<KeyValuePair<string, object?>>();
        var infoIndex = properties.FindIndex(p => p.Key == DeliveryInfoKey);
        if (infoIndex >= 0 && properties[infoIndex].Value is IEnumerable<KeyValuePair<string, object?>> existing)
        {
            deliveryInfo.AddRange(existing);
        }

        Set(deliveryInfo, "exchange", exchange);
        Set(deliveryInfo, "routing_key", routingKey);
        if (infoIndex >= 0)
        {
            properties[infoIndex] = new(DeliveryInfoKey, deliveryInfo);
        }
        else
        {
            properties.Add(new(DeliveryInfoKey, deliveryInfo));
        }

        if (!properties.Exists(p => p.Key == "priority"))
        {
            properties.Add(new("priority", 0L));
        }

        Set(properties, BodyEncodingKey, "base64");
        Set(properties, DeliveryTagKey, deliveryTag);

        var json = new StringBuilder(message.Body.Length * 4 / 3 + 512);
        json.Append("{\"body\": ");
        PythonJson.WriteString(json, Convert.ToBase64String(message.Body.Span));
        json.Append(", \"content-encoding\": ");
        PythonJson.WriteString(json, message.ContentEncoding);
        json.Append(", \"content-type\": ");
        PythonJson.WriteString(json, message.ContentType);
        json.Append(", \"headers\": ");
        PythonJson.Write(json, message.Headers, PythonJsonDefault.JsonLikeOnly);
        json.Append(", \"properties\": ");
        PythonJson.Write(json, properties, PythonJsonDefault.JsonLikeOnly);
        json.Append('}');
        var text = json.ToString();
        return base64Envelope ? Convert.ToBase64String(Encoding.UTF8.GetBytes(text)) : text;
    }

    /// <summary>
    /// Decodes an SQS <c>MessageBody</c>: base64 when it is canonical base64 (re-encoding gives the
    /// same text), else raw JSON. A payload without <c>properties.delivery_info</c> is foreign (not
    /// written by kombu): its whole text becomes the body, as kombu does.
    /// </summary>
    public static SqsDecodedEnvelope Decode(string messageBody)
    {
        ArgumentNullException.ThrowIfNull(messageBody);
        var text = OptionalBase64Decode(messageBody);
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("The SQS message body is JSON but not an object.");
        }

        var payload = JsonValueReader.ToDictionary(root);
        var headers = payload.GetValueOrDefault("headers") as Dictionary<string, object?> ?? [];
        var contentType = payload.GetValueOrDefault("content-type") as string ?? "application/json";
        var contentEncoding = payload.GetValueOrDefault("content-encoding") as string ?? "utf-8";
        if (payload.GetValueOrDefault("properties") is not Dictionary<string, object?> properties
            || properties.GetValueOrDefault(DeliveryInfoKey) is not Dictionary<string, object?> deliveryInfo)
        {
            // kombu 5.2.4 _message_to_python: KeyError ⇒ body = the whole decoded text, properties = {delivery_info: {}}.
            return new SqsDecodedEnvelope(
                new TransportMessage { Body = Encoding.UTF8.GetBytes(text), ContentType = contentType, ContentEncoding = contentEncoding, Headers = headers },
                Exchange: string.Empty,
                RoutingKey: string.Empty,
                DeliveryTag: null,
                IsForeign: true);
        }

        var bodyText = payload.GetValueOrDefault("body") as string ?? string.Empty;
        var body = properties.GetValueOrDefault(BodyEncodingKey) is "base64"
            ? Convert.FromBase64String(bodyText)
            : Encoding.UTF8.GetBytes(bodyText);
        var deliveryTag = properties.GetValueOrDefault(DeliveryTagKey) as string;

        // Transport bookkeeping is carried by the Delivery, not by the message's properties.
        properties.Remove(DeliveryInfoKey);
        properties.Remove(DeliveryTagKey);
        properties.Remove(BodyEncodingKey);
        return new SqsDecodedEnvelope(
            new TransportMessage { Body = body, ContentType = contentType, ContentEncoding = contentEncoding, Headers = headers, Properties = properties },
            Exchange: deliveryInfo.GetValueOrDefault("exchange") as string ?? string.Empty,
            RoutingKey: deliveryInfo.GetValueOrDefault("routing_key") as string ?? string.Empty,
            DeliveryTag: deliveryTag,
            IsForeign: false);
    }

    /// <summary>A message body that <see cref="Decode"/> cannot read, carried raw for the consumer to refuse (and dead-letter).</summary>
    public static SqsDecodedEnvelope Undecodable(string messageBody) => new(
        new TransportMessage { Body = Encoding.UTF8.GetBytes(messageBody), ContentType = UndecodableContentType, ContentEncoding = "binary" },
        Exchange: string.Empty,
        RoutingKey: string.Empty,
        DeliveryTag: null,
        IsForeign: true);

    /// <summary>kombu 5.2.4 <c>_optional_b64_decode</c>: base64 only if it round-trips exactly.</summary>
    internal static string OptionalBase64Decode(string messageBody)
    {
        if (messageBody.Length % 4 == 0 && messageBody.Length > 0)
        {
            var buffer = new byte[messageBody.Length / 4 * 3];
            if (Convert.TryFromBase64String(messageBody, buffer, out var written)
                && string.Equals(Convert.ToBase64String(buffer, 0, written), messageBody, StringComparison.Ordinal))
            {
                return Encoding.UTF8.GetString(buffer, 0, written);
            }
        }

        return messageBody;
    }

    private static void Set(List<KeyValuePair<string, object?>> pairs, string key, object? value)
    {
        var index = pairs.FindIndex(p => p.Key == key);
        if (index >= 0)
        {
            pairs[index] = new(key, value);
        }
        else
        {
            pairs.Add(new(key, value));
        }
    }
}
