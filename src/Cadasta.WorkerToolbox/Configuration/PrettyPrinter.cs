using System.Text.RegularExpressions;
using System.Text;
using Cadasta.WorkerToolbox.Python;

namespace Cadasta.WorkerToolbox.Configuration;

/// <summary>
/// Python's <c>pprint.pformat(value)</c> (width 80, indent 1, keys sorted), which the original
/// Config's repr uses: a value that fits on the rest of its line is written inline, otherwise its
/// items go one per line under the opening bracket and long strings are split between words.
/// </summary>
internal static partial class PrettyPrinter
{
    private const int Width = 80;

    public static string Format(object? value)
    {
        var text = new StringBuilder();
        FormatValue(text, value, indent: 0, allowance: 0);
        return text.ToString();
    }

    private static void FormatValue(StringBuilder text, object? value, int indent, int allowance)
    {
        var repr = PythonRepr.Repr(value, sortKeys: true);
        if (repr.Length <= Width - indent - allowance)
        {
            text.Append(repr);
            return;
        }

        switch (value)
        {
            case IReadOnlyDictionary<string, object?> dictionary when dictionary.Count > 0:
                text.Append('{');
                FormatDictionaryItems(text, [.. dictionary.OrderBy(p => p.Key, StringComparer.Ordinal)], indent, allowance + 1);
                text.Append('}');
                break;
            case PythonTuple tuple when tuple.Count > 0:
                var end = tuple.Count == 1 ? ",)" : ")";
                text.Append('(');
                FormatItems(text, tuple, indent, allowance + end.Length);
                text.Append(end);
                break;
            case PythonSet set when set.Count > 0:
                text.Append('{');
                FormatItems(text, set, indent, allowance + 1);
                text.Append('}');
                break;
            case string s when s.Length > 0:
                FormatString(text, s, indent, allowance);
                break;
            case IReadOnlyList<object?> list when list.Count > 0:
                text.Append('[');
                FormatItems(text, list, indent, allowance + 1);
                text.Append(']');
                break;
            default:
                text.Append(repr);
                break;
        }
    }

    private static void FormatDictionaryItems(StringBuilder text, List<KeyValuePair<string, object?>> items, int indent, int allowance)
    {
        indent += 1;
        for (var i = 0; i < items.Count; i++)
        {
            var last = i == items.Count - 1;
            var key = PythonRepr.Repr(items[i].Key);
            text.Append(key).Append(": ");
            FormatValue(text, items[i].Value, indent + key.Length + 2, last ? allowance : 1);
            if (!last)
            {
                text.Append(",\n").Append(' ', indent);
            }
        }
    }

    private static void FormatItems(StringBuilder text, IReadOnlyList<object?> items, int indent, int allowance)
    {
        indent += 1;
        for (var i = 0; i < items.Count; i++)
        {
            var last = i == items.Count - 1;
            if (i > 0)
            {
                text.Append(",\n").Append(' ', indent);
            }

            FormatValue(text, items[i], indent, last ? allowance : 1);
        }
    }

    // pprint._pprint_str: each line, and a line too long between words, becomes its own quoted chunk.
    private static void FormatString(StringBuilder text, string value, int indent, int allowance)
    {
        var chunks = new List<string>();
        var lines = LinePattern().Matches(value).Select(m => m.Value).Where(l => l.Length > 0).ToList();
        var maxWidth = Width - indent;
        for (var i = 0; i < lines.Count; i++)
        {
            var lastLine = i == lines.Count - 1;
            var lineRepr = PythonRepr.Repr(lines[i]);
            if (lineRepr.Length <= maxWidth - (lastLine ? allowance : 0))
            {
                chunks.Add(lineRepr);
                continue;
            }

            var parts = WordPattern().Matches(lines[i]).Select(m => m.Value).Where(p => p.Length > 0).ToList();
            var current = string.Empty;
            for (var j = 0; j < parts.Count; j++)
            {
                var candidate = current + parts[j];
                var limit = maxWidth - (j == parts.Count - 1 && lastLine ? allowance : 0);
                if (PythonRepr.Repr(candidate).Length > limit)
                {
                    if (current.Length > 0)
                    {
                        chunks.Add(PythonRepr.Repr(current));
                    }

                    current = parts[j];
                }
                else
                {
                    current = candidate;
                }
            }

            if (current.Length > 0)
            {
                chunks.Add(PythonRepr.Repr(current));
            }
        }

        text.AppendJoin("\n" + new string(' ', indent), chunks);
    }

    [GeneratedRegex(@"[^\r\n]*(?:\r\n|\r|\n)?")]
    private static partial Regex LinePattern();

    [GeneratedRegex(@"\S*\s*")]
    private static partial Regex WordPattern();
}
