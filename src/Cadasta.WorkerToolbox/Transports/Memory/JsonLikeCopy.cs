namespace Cadasta.WorkerToolbox.Transports.Memory;

/// <summary>
/// Deep copies of JSON-like values, so a message held by the memory broker is independent of the
/// publisher's objects, as it would be after a trip through a real broker.
/// </summary>
internal static class JsonLikeCopy
{
    public static TransportMessage Of(TransportMessage message) => new()
    {
        Body = message.Body.ToArray(),
        ContentType = message.ContentType,
        ContentEncoding = message.ContentEncoding,
        Headers = Of(message.Headers),
        Properties = Of(message.Properties),
    };

    public static Dictionary<string, object?> Of(IReadOnlyDictionary<string, object?> map)
    {
        var copy = new Dictionary<string, object?>(map.Count, StringComparer.Ordinal);
        foreach (var (key, value) in map)
        {
            copy[key] = OfValue(value);
        }

        return copy;
    }

    private static object? OfValue(object? value) => value switch
    {
        IReadOnlyDictionary<string, object?> map => Of(map),
        IReadOnlyList<object?> list => list.Select(OfValue).ToList(),
        byte[] bytes => bytes.ToArray(),
        _ => value,
    };
}
