using System.Collections;
using System.Globalization;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>Python's <c>repr</c> of JSON-like values, for messages Python code also prints.</summary>
internal static class PythonRepr
{
    public static string Of(object? value) => value switch
    {
        null => "None",
        bool flag => flag ? "True" : "False",
        string text => "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'",
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        IFormattable formattable when value is long or int => formattable.ToString(null, CultureInfo.InvariantCulture),
        IReadOnlyDictionary<string, object?> dictionary => "{" + string.Join(", ", dictionary.Select(p => $"{Of(p.Key)}: {Of(p.Value)}")) + "}",
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Of)) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "None",
    };

    /// <summary>A tuple: <c>(1, 2)</c>, <c>(1,)</c>, <c>()</c>.</summary>
    public static string Tuple(IReadOnlyList<object?> items) =>
        items.Count == 1 ? $"({Of(items[0])},)" : "(" + string.Join(", ", items.Select(Of)) + ")";
}
