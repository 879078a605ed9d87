using Cadasta.WorkerToolbox.Monitoring;

namespace Cadasta.WorkerToolbox.Dashboard;

/// <summary>Task values as the pages show them: indented JSON text (encoded by the page), optionally masked.</summary>
internal static class ValueText
{
    public const string Mask = "***";

    /// <summary>Any JSON-like value (or a value a pickle gave: bytes, decimals, times) as indented JSON.</summary>
    public static string Json(object? value)
    {
        // The record table's own writer never fails on a value a transport or a pickle may hold.
        var compact = JsonColumn.Write(value);
        using var document = System.Text.Json.JsonDocument.Parse(compact);
        return System.Text.Json.JsonSerializer.Serialize(document.RootElement, Indented);
    }

    /// <summary>The arguments with every value replaced by <see cref="Mask"/>: how many there are stays visible.</summary>
    public static IReadOnlyList<object?> MaskArgs(IReadOnlyList<object?> args) => [.. args.Select(_ => (object?)Mask)];

    /// <summary>The keyword arguments with every value replaced by <see cref="Mask"/>: their names stay visible.</summary>
    public static IReadOnlyDictionary<string, object?> MaskKwargs(IReadOnlyDictionary<string, object?> kwargs) =>
        kwargs.ToDictionary(pair => pair.Key, _ => (object?)Mask, StringComparer.Ordinal);

    private static readonly System.Text.Json.JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,

        // The page encodes the text for HTML; here characters stay as they are so that they read as sent.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
