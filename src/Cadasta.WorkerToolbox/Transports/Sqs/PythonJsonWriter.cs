using System.Collections;
using System.Globalization;
using System.Text;

namespace Cadasta.WorkerToolbox.Transports.Sqs;

/// <summary>
/// Writes JSON-like CLR values exactly as Python's <c>json.dumps</c> with kombu's defaults does:
/// separators <c>", "</c> and <c>": "</c>, every character outside printable ASCII escaped as
/// <c>\uXXXX</c> (lower-case hex), floats as Python's <c>repr</c>. Byte-exactness matters because
/// the SQS envelope kombu writes is compared, and deduplicated on FIFO queues, as text.
/// </summary>
internal static class PythonJsonWriter
{
    public static string Serialize(object? value)
    {
        var builder = new StringBuilder(256);
        Write(builder, value);
        return builder.ToString();
    }

    public static void Write(StringBuilder builder, object? value)
    {
        switch (value)
        {
            case null:
                builder.Append("null");
                break;
            case bool b:
                builder.Append(b ? "true" : "false");
                break;
            case string s:
                WriteString(builder, s);
                break;
            case double d:
                WriteDouble(builder, d);
                break;
            case float f:
                WriteDouble(builder, f);
                break;
            case decimal m:
                WriteDouble(builder, (double)m);
                break;
            case long or int or short or sbyte or byte or ushort or uint or ulong:
                builder.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
            case IEnumerable<KeyValuePair<string, object?>> map:
                WriteObject(builder, map);
                break;
            case IDictionary dictionary:
                WriteObject(builder, dictionary.Cast<DictionaryEntry>().Select(e => new KeyValuePair<string, object?>(
                    Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? string.Empty, e.Value)));
                break;
            case IEnumerable list:
                builder.Append('[');
                var first = true;
                foreach (var item in list)
                {
                    if (!first)
                    {
                        builder.Append(", ");
                    }

                    first = false;
                    Write(builder, item);
                }

                builder.Append(']');
                break;
            default:
                throw new ArgumentException($"A value of type {value.GetType()} cannot be written as JSON; use null, bool, long, double, string, lists or string-keyed dictionaries.", nameof(value));
        }
    }

    private static void WriteObject(StringBuilder builder, IEnumerable<KeyValuePair<string, object?>> map)
    {
        builder.Append('{');
        var first = true;
        foreach (var (key, item) in map)
        {
            if (!first)
            {
                builder.Append(", ");
            }

            first = false;
            WriteString(builder, key);
            builder.Append(": ");
            Write(builder, item);
        }

        builder.Append('}');
    }

    public static void WriteString(StringBuilder builder, string value)
    {
        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default:
                    if (c < ' ' || c > '~')
                    {
                        // UTF-16 code units, as Python's ensure_ascii writes astral characters as surrogate pairs.
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }

    /// <summary>Python's <c>float.__repr__</c>: shortest round-trip digits, scientific below 1e-4 and from 1e16.</summary>
    public static void WriteDouble(StringBuilder builder, double value)
    {
        if (double.IsNaN(value))
        {
            builder.Append("NaN");
            return;
        }

        if (double.IsInfinity(value))
        {
            builder.Append(value > 0 ? "Infinity" : "-Infinity");
            return;
        }

        if (value == 0)
        {
            builder.Append(double.IsNegative(value) ? "-0.0" : "0.0");
            return;
        }

        // "R" gives the shortest round-trip digits, as Python does, in either fixed or E notation.
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = shortest.StartsWith('-');
        var unsigned = negative ? shortest[1..] : shortest;
        string mantissa;
        var exponent = 0;
        var e = unsigned.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            mantissa = unsigned[..e];
            exponent = int.Parse(unsigned[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }
        else
        {
            mantissa = unsigned;
        }

        // Normalise to digits d1d2d3... with the decimal point after d1 times 10^decimalExponent.
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var integerPart = point >= 0 ? mantissa[..point] : mantissa;
        var fractionPart = point >= 0 ? mantissa[(point + 1)..] : string.Empty;
        var digits = (integerPart + fractionPart).TrimStart('0');
        var leadingZeros = (integerPart + fractionPart).Length - digits.Length;
        var decimalExponent = integerPart.Length - 1 - leadingZeros + exponent;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        if (negative)
        {
            builder.Append('-');
        }

        if (decimalExponent is >= -4 and < 16)
        {
            if (decimalExponent < 0)
            {
                builder.Append("0.").Append('0', -decimalExponent - 1).Append(digits);
            }
            else if (digits.Length <= decimalExponent + 1)
            {
                builder.Append(digits).Append('0', decimalExponent + 1 - digits.Length).Append(".0");
            }
            else
            {
                builder.Append(digits, 0, decimalExponent + 1).Append('.').Append(digits, decimalExponent + 1, digits.Length - decimalExponent - 1);
            }

            return;
        }

        builder.Append(digits[0]);
        if (digits.Length > 1)
        {
            builder.Append('.').Append(digits, 1, digits.Length - 1);
        }

        builder.Append('e').Append(decimalExponent < 0 ? '-' : '+')
            .Append(Math.Abs(decimalExponent).ToString("00", CultureInfo.InvariantCulture));
    }
}
