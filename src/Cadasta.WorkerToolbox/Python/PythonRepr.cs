using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;
using Cadasta.WorkerToolbox.Routing;

namespace Cadasta.WorkerToolbox.Python;

/// <summary>
/// Python's <c>repr()</c> and <c>str()</c> of JSON-like and configuration values, wherever the
/// library prints a value as Python would (the printable configuration, the result-backend
/// template, exception messages, retry errors): <c>'text'</c>, <c>True</c>, <c>None</c>,
/// <c>1.0</c>, <c>('msg',)</c>, <c>{'a': 1}</c>, <c>Decimal('1.10')</c>, and kombu's
/// <c>&lt;unbound Queue ...&gt;</c> for queue declarations. Not Celery's <c>saferepr</c>, which
/// quotes differently (see <c>Protocol.CelerySafeRepr</c>).
/// </summary>
internal static class PythonRepr
{
    /// <summary>Python's <c>str(value)</c>: text as it is, anything else as its repr.</summary>
    public static string Str(object? value) => value as string ?? Repr(value);

    /// <summary>Python's <c>repr(value)</c>; dictionaries keep their order unless <paramref name="sortKeys"/>.</summary>
    public static string Repr(object? value, bool sortKeys = false)
    {
        var text = new StringBuilder();
        Append(text, value, sortKeys);
        return text.ToString();
    }

    /// <summary>The Python type name of a value, for error messages.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        long or int or BigInteger => "int",
        double => "float",
        Complex => "complex",
        string => "str",
        byte[] => "bytes",
        PythonTuple => "tuple",
        PythonSet => "set",
        IReadOnlyDictionary<string, object?> or IDictionary => "dict",
        QueueDeclaration => "Queue",
        IEnumerable<QueueDeclaration> => "list of Queue",
        ITaskRouter => "router",
        IEnumerable => "list",
        _ => value.GetType().Name,
    };

    private static void Append(StringBuilder text, object? value, bool sortKeys)
    {
        switch (value)
        {
            case null:
                text.Append("None");
                break;
            case bool b:
                text.Append(b ? "True" : "False");
                break;
            case sbyte or byte or short or ushort or int or uint or long or ulong or BigInteger or Int128 or UInt128:
                text.Append(((IFormattable)value).ToString(null, CultureInfo.InvariantCulture));
                break;
            case double d:
                text.Append(PythonFloat.Repr(d));
                break;
            case float f:
                text.Append(PythonFloat.Repr(f));
                break;
            case decimal m:
                text.Append("Decimal('").Append(PythonFloat.DecimalStr(m)).Append("')");
                break;
            case Complex c:
                text.Append(ComplexRepr(c));
                break;
            case string s:
                AppendString(text, s);
                break;
            case char c:
                AppendString(text, c.ToString());
                break;
            case byte[] bytes:
                AppendBytes(text, bytes);
                break;
            case QueueDeclaration queue:
                text.Append(CultureInfo.InvariantCulture, $"<unbound Queue {queue.Name} -> <unbound Exchange {queue.Exchange.Name}({queue.Exchange.Type})> -> {queue.RoutingKey}>");
                break;
            case ITaskRouter router:
                text.Append(CultureInfo.InvariantCulture, $"<router: {router.Description}>");
                break;
            case IReadOnlyDictionary<string, object?> dictionary:
                AppendDictionary(text, sortKeys ? dictionary.OrderBy(p => p.Key, StringComparer.Ordinal) : dictionary.AsEnumerable(), sortKeys);
                break;
            case IDictionary dictionary:
                AppendDictionary(text, PythonJson.Entries(dictionary), sortKeys);
                break;
            case PythonTuple tuple:
                text.Append('(');
                AppendItems(text, tuple, sortKeys);
                text.Append(tuple.Count == 1 ? ",)" : ")");
                break;
            case PythonSet set when set.Count == 0:
                text.Append("set()");
                break;
            case PythonSet set:
                text.Append('{');
                AppendItems(text, set, sortKeys);
                text.Append('}');
                break;
            case IEnumerable list:
                text.Append('[');
                AppendItems(text, list.Cast<object?>(), sortKeys);
                text.Append(']');
                break;
            default:
                text.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static void AppendDictionary<TKey>(StringBuilder text, IEnumerable<KeyValuePair<TKey, object?>> pairs, bool sortKeys)
    {
        text.Append('{');
        var first = true;
        foreach (var (key, item) in pairs)
        {
            text.Append(first ? string.Empty : ", ");
            first = false;
            Append(text, key, sortKeys);
            text.Append(": ");
            Append(text, item, sortKeys);
        }

        text.Append('}');
    }

    private static void AppendItems(StringBuilder text, IEnumerable<object?> items, bool sortKeys)
    {
        var first = true;
        foreach (var item in items)
        {
            text.Append(first ? string.Empty : ", ");
            first = false;
            Append(text, item, sortKeys);
        }
    }

    private static string ComplexRepr(Complex value)
    {
        var imaginary = PythonFloat.Repr(value.Imaginary, addDotZero: false) + "j";
        if (value.Real == 0 && !double.IsNegative(value.Real))
        {
            return imaginary;
        }

        var sign = double.IsNegative(value.Imaginary) && !double.IsNaN(value.Imaginary) ? string.Empty : "+";
        return $"({PythonFloat.Repr(value.Real, addDotZero: false)}{sign}{imaginary})";
    }

    private static void AppendString(StringBuilder text, string value)
    {
        var quote = value.Contains('\'', StringComparison.Ordinal) && !value.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        text.Append(quote);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == quote || c == '\\')
            {
                text.Append('\\').Append(c);
                continue;
            }

            switch (c)
            {
                case '\t': text.Append("\\t"); continue;
                case '\n': text.Append("\\n"); continue;
                case '\r': text.Append("\\r"); continue;
            }

            if (Rune.TryGetRuneAt(value, i, out var rune))
            {
                if (IsPrintable(rune))
                {
                    text.Append(value, i, rune.Utf16SequenceLength);
                }
                else
                {
                    AppendEscapedCodePoint(text, rune.Value);
                }

                i += rune.Utf16SequenceLength - 1;
            }
            else
            {
                AppendEscapedCodePoint(text, c); // a lone surrogate
            }
        }

        text.Append(quote);
    }

    // Python's str.isprintable: everything but control, format, surrogate, private-use,
    // unassigned and separator characters, the ASCII space excepted.
    private static bool IsPrintable(Rune rune)
    {
        if (rune.Value == ' ')
        {
            return true;
        }

        return Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
            or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator);
    }

    private static void AppendEscapedCodePoint(StringBuilder text, int code) => text.Append(code switch
    {
        < 0x100 => string.Create(CultureInfo.InvariantCulture, $"\\x{code:x2}"),
        < 0x10000 => string.Create(CultureInfo.InvariantCulture, $"\\u{code:x4}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"\\U{code:x8}"),
    });

    private static void AppendBytes(StringBuilder text, byte[] bytes)
    {
        var quote = bytes.Contains((byte)'\'') && !bytes.Contains((byte)'"') ? '"' : '\'';
        text.Append('b').Append(quote);
        foreach (var b in bytes)
        {
            switch (b)
            {
                case (byte)'\\': text.Append("\\\\"); break;
                case (byte)'\t': text.Append("\\t"); break;
                case (byte)'\n': text.Append("\\n"); break;
                case (byte)'\r': text.Append("\\r"); break;
                case var q when q == quote: text.Append('\\').Append(quote); break;
                case < 0x20 or >= 0x7F: text.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}"); break;
                default: text.Append((char)b); break;
            }
        }

        text.Append(quote);
    }
}
