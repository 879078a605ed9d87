using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Cadasta.WorkerToolbox.Results;

/// <summary>Python's <c>str()</c> and <c>repr()</c> of JSON-like values, for exception messages.</summary>
internal static class PythonLiteral
{
    public static string Str(object? value) => value is string text ? text : Repr(value);

    public static string Repr(object? value)
    {
        var builder = new StringBuilder();
        Append(builder, value);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, object? value)
    {
        switch (value)
        {
            case null:
                builder.Append("None");
                break;
            case bool flag:
                builder.Append(flag ? "True" : "False");
                break;
            case string text:
                AppendString(builder, text);
                break;
            case double number:
                builder.Append(FormatFloat(number));
                break;
            case float number:
                builder.Append(FormatFloat(number));
                break;
            case long or int or short or sbyte or byte or ushort or uint or ulong or BigInteger or decimal:
                builder.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
            case IDictionary dictionary:
                builder.Append('{');
                var first = true;
                foreach (DictionaryEntry entry in dictionary)
                {
                    if (!first)
                    {
                        builder.Append(", ");
                    }

                    first = false;
                    Append(builder, entry.Key);
                    builder.Append(": ");
                    Append(builder, entry.Value);
                }

                builder.Append('}');
                break;
            case IEnumerable items:
                AppendTuple(builder, items);
                break;
            default:
                builder.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static void AppendTuple(StringBuilder builder, IEnumerable items)
    {
        builder.Append('(');
        var count = 0;
        foreach (var item in items)
        {
            if (count > 0)
            {
                builder.Append(", ");
            }

            Append(builder, item);
            count++;
        }

        builder.Append(count == 1 ? ",)" : ")");
    }

    private static string FormatFloat(double number)
    {
        if (double.IsNaN(number))
        {
            return "nan";
        }

        if (double.IsInfinity(number))
        {
            return number > 0 ? "inf" : "-inf";
        }

        var text = number.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) ? text.Replace("E", "e", StringComparison.Ordinal) : text + ".0";
    }

    private static void AppendString(StringBuilder builder, string text)
    {
        var quote = text.Contains('\'', StringComparison.Ordinal) && !text.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        builder.Append(quote);
        foreach (var character in text)
        {
            switch (character)
            {
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                default:
                    if (character == quote)
                    {
                        builder.Append('\\').Append(character);
                    }
                    else if (character < ' ' || character == '\x7f')
                    {
                        builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)character:x2}");
                    }
                    else
                    {
                        builder.Append(character);
                    }

                    break;
            }
        }

        builder.Append(quote);
    }
}
