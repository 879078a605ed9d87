using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Cadasta.WorkerToolbox.Python;

/// <summary>
/// Python's <c>json.dumps</c> with its default settings, byte for byte: ASCII only (<c>\uXXXX</c>,
/// lower-case hex, surrogate pairs for astral characters), separators <c>", "</c> and <c>": "</c>,
/// floats as Python's repr, <c>NaN</c>/<c>Infinity</c>, str/int/float/bool/None keys turned into
/// strings. Dictionaries become objects, other sequences arrays; anything else goes through the
/// <see cref="PythonJsonDefault.Default"/> hook, as <c>json.dumps(default=...)</c> does (kombu's
/// encoder is such a hook).
/// </summary>
internal static class PythonJson
{
    /// <summary>Nesting deeper than this is refused (a circular reference, most likely).</summary>
    public const int MaxDepth = 512;

    /// <summary><c>json.dumps(value)</c> of a JSON-like value; throws <see cref="ArgumentException"/> for anything else.</summary>
    public static string Serialize(object? value) => Serialize(value, PythonJsonDefault.JsonLikeOnly);

    /// <summary><c>json.dumps(value, default=...)</c>.</summary>
    public static string Serialize(object? value, PythonJsonDefault encoding)
    {
        var builder = new StringBuilder();
        Write(builder, value, encoding);
        return builder.ToString();
    }

    /// <summary>Appends <c>json.dumps(value, default=...)</c> to <paramref name="builder"/>.</summary>
    public static void Write(StringBuilder builder, object? value, PythonJsonDefault encoding) => Write(builder, value, encoding, 0);

    private static void Write(StringBuilder builder, object? value, PythonJsonDefault encoding, int depth)
    {
        if (depth > MaxDepth)
        {
            throw encoding.Refuse($"The value is nested more than {MaxDepth} levels deep (a circular reference?).");
        }

        switch (value)
        {
            case null:
                builder.Append("null");
                return;
            case bool b:
                builder.Append(b ? "true" : "false");
                return;
            case string s:
                WriteString(builder, s);
                return;
            case sbyte or byte or short or ushort or int or uint or long or ulong or BigInteger or Int128 or UInt128:
                builder.Append(((IFormattable)value).ToString(null, CultureInfo.InvariantCulture));
                return;
            case double d:
                builder.Append(FloatText(d));
                return;
            case float f:
                builder.Append(FloatText(f));
                return;
            case Half h:
                builder.Append(FloatText((double)h));
                return;
        }

        var converted = encoding.Default(value);
        if (!ReferenceEquals(converted, value))
        {
            Write(builder, converted, encoding, depth + 1);
            return;
        }

        switch (value)
        {
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                WriteObject(builder, pairs.Select(p => new KeyValuePair<object?, object?>(p.Key, p.Value)), encoding, depth);
                return;
            case IDictionary dictionary:
                WriteObject(builder, Entries(dictionary), encoding, depth);
                return;
            case IEnumerable sequence when value is not byte[] && !IsSet(value):
                WriteArray(builder, sequence.Cast<object?>(), encoding, depth);
                return;
            default:
                throw encoding.Refuse($"A value of type {value.GetType()} cannot be written as JSON.");
        }
    }

    /// <summary>A JSON string as <c>json.dumps</c> writes it with <c>ensure_ascii</c> (UTF-16 code units, so astral characters become surrogate pairs).</summary>
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

    /// <summary>A float as <c>json.dumps</c> writes it: its repr, or <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>.</summary>
    public static string FloatText(double value) =>
        double.IsNaN(value) ? "NaN" :
        double.IsPositiveInfinity(value) ? "Infinity" :
        double.IsNegativeInfinity(value) ? "-Infinity" :
        PythonFloat.Repr(value);

    /// <summary>The entries of a non-generic dictionary (its enumerator yields DictionaryEntry or KeyValuePair depending on the type).</summary>
    public static IEnumerable<KeyValuePair<object?, object?>> Entries(IDictionary dictionary)
    {
        var enumerator = dictionary.GetEnumerator();
        while (enumerator.MoveNext())
        {
            yield return new KeyValuePair<object?, object?>(enumerator.Key, enumerator.Value);
        }
    }

    /// <summary>Whether a sequence is a set, which <c>json.dumps</c> refuses.</summary>
    public static bool IsSet(object value) =>
        value.GetType().GetInterfaces().Any(i => i.IsGenericType &&
            (i.GetGenericTypeDefinition() == typeof(ISet<>) || i.GetGenericTypeDefinition() == typeof(IReadOnlySet<>)));

    private static void WriteArray(StringBuilder builder, IEnumerable<object?> items, PythonJsonDefault encoding, int depth)
    {
        builder.Append('[');
        var first = true;
        foreach (var item in items)
        {
            if (!first)
            {
                builder.Append(", ");
            }

            first = false;
            Write(builder, item, encoding, depth + 1);
        }

        builder.Append(']');
    }

    private static void WriteObject(StringBuilder builder, IEnumerable<KeyValuePair<object?, object?>> pairs, PythonJsonDefault encoding, int depth)
    {
        builder.Append('{');
        var first = true;
        foreach (var (key, value) in pairs)
        {
            if (!first)
            {
                builder.Append(", ");
            }

            first = false;
            WriteString(builder, KeyText(key, encoding));
            builder.Append(": ");
            Write(builder, value, encoding, depth + 1);
        }

        builder.Append('}');
    }

    // json.dumps turns str, int, float, bool and None keys into strings and refuses others.
    private static string KeyText(object? key, PythonJsonDefault encoding) => key switch
    {
        string s => s,
        null => "null",
        bool b => b ? "true" : "false",
        sbyte or byte or short or ushort or int or uint or long or ulong or BigInteger =>
            ((IFormattable)key).ToString(null, CultureInfo.InvariantCulture),
        double d => FloatText(d),
        float f => FloatText(f),
        char c => c.ToString(),
        _ => throw encoding.Refuse(
            $"A dictionary key of type {key.GetType()} cannot be written as JSON: keys must be str, int, float, bool or None."),
    };
}
