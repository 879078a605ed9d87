using System.Text.Json;

namespace Cadasta.WorkerToolbox.Transports.Sqs;

/// <summary>Turns parsed JSON into the library's plain CLR values (null, bool, long, double, string, lists, dictionaries).</summary>
internal static class JsonValueReader
{
    public static object? ToValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var integer) ? (object)integer : element.GetDouble(),
        JsonValueKind.Array => element.EnumerateArray().Select(ToValue).ToList(),
        JsonValueKind.Object => ToDictionary(element),
        _ => throw new JsonException($"Unexpected JSON value kind {element.ValueKind}."),
    };

    public static Dictionary<string, object?> ToDictionary(JsonElement element)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            result[property.Name] = ToValue(property.Value);
        }

        return result;
    }
}
