namespace Cadasta.WorkerToolbox.Transports;

/// <summary>
/// A message as a broker carries it: body bytes, content type and encoding, headers and
/// properties. Header and property values are JSON-like CLR values: null, bool, long, double,
/// string, <see cref="IReadOnlyList{T}"/> of such values, or
/// <see cref="IReadOnlyDictionary{TKey, TValue}"/> with string keys. A transport never parses the body.
/// </summary>
public sealed class TransportMessage
{
    private static readonly IReadOnlyDictionary<string, object?> Empty = new Dictionary<string, object?>();

    /// <summary>The body bytes (for a Celery task: UTF-8 JSON <c>[args, kwargs, embed]</c>).</summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>The MIME type of the body, <c>application/json</c> for Celery tasks.</summary>
    public string ContentType { get; init; } = "application/json";

    /// <summary>The body's character encoding, <c>utf-8</c> for JSON, <c>binary</c> for pickle.</summary>
    public string ContentEncoding { get; init; } = "utf-8";

    /// <summary>Message headers (Celery protocol 2 keeps the task's metadata here).</summary>
    public IReadOnlyDictionary<string, object?> Headers { get; init; } = Empty;

    /// <summary>
    /// Message properties: the standard ones (<c>correlation_id</c>, <c>reply_to</c>,
    /// <c>delivery_mode</c>, <c>priority</c>, <c>expiration</c>) and any custom keys a producer
    /// added (Cadasta's <c>creator_id</c>, <c>is_result</c>...).
    /// </summary>
    public IReadOnlyDictionary<string, object?> Properties { get; init; } = Empty;
}
