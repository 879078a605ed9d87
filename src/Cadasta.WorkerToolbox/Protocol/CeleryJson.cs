using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Cadasta.WorkerToolbox.Protocol;

/// <summary>
/// JSON exactly as kombu 5.2 writes it (Python's <c>json.dumps</c> defaults plus kombu's
/// encoder): ASCII only (<c>\uXXXX</c>, lower-case hex, surrogate pairs for astral characters),
/// separators <c>", "</c> and <c>": "</c>, floats as Python's repr, <c>NaN</c>/<c>Infinity</c>,
/// and kombu's conversions of dates, times, decimals and UUIDs. Reading follows
/// <c>json.loads</c>: integers stay integers (<see cref="long"/>, or <see cref="BigInteger"/>
/// beyond 64 bits), numbers with a fraction or exponent are <see cref="double"/>, objects keep
/// their key order (a repeated key keeps its first position and its last value).
/// </summary>
internal static class CeleryJson
{
    private const int MaxDepth = 512;

    /// <summary>Writes a value; throws <see cref="TaskEncodingException"/> for what kombu refuses.</summary>
    public static string Serialize(object? value)
    {
        var builder = new StringBuilder();
        Write(builder, value, 0);
        return builder.ToString();
    }

    /// <summary>
    /// Turns a CLR value into the JSON-like value kombu would produce on the wire (dates to
    /// strings, tuples to lists, signatures to dicts...), so a decoded message compares equal.
    /// </summary>
    public static object? Normalize(object? value) => Parse(Serialize(value));

    private static void Write(StringBuilder builder, object? value, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new TaskEncodingException($"The value is nested more than {MaxDepth} levels deep (a circular reference?).");
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
            case char c:
                WriteString(builder, c.ToString());
                return;
            case sbyte or byte or short or ushort or int or uint or long or ulong or BigInteger or Int128 or UInt128:
                builder.Append(((IFormattable)value).ToString(null, CultureInfo.InvariantCulture));
                return;
            case double d:
                WriteFloat(builder, d);
                return;
            case float f:
                WriteFloat(builder, f);
                return;
            case Half h:
                WriteFloat(builder, (double)h);
                return;
            case decimal m:
                WriteString(builder, PythonNumberFormat.DecimalStr(m));
                return;
            case DateTimeOffset dto:
                WriteString(builder, CeleryTimestamp.FormatKombu(dto));
                return;
            case DateTime dt:
                WriteString(builder, dt.Kind switch
                {
                    DateTimeKind.Utc => CeleryTimestamp.FormatKombu(new DateTimeOffset(dt)),
                    DateTimeKind.Local => CeleryTimestamp.FormatKombu(new DateTimeOffset(dt)),
                    _ => CeleryTimestamp.FormatLocalPart(dt),
                });
                return;
            case DateOnly date:
                WriteString(builder, CeleryTimestamp.FormatLocalPart(date.ToDateTime(TimeOnly.MinValue)));
                return;
            case TimeOnly time:
                WriteString(builder, CeleryTimestamp.FormatTime(time));
                return;
            case Guid guid:
                WriteString(builder, guid.ToString("D"));
                return;
            case Signature signature:
                Write(builder, signature.ToDictionary(), depth + 1);
                return;
            case PythonTuple tuple:
                WriteArray(builder, tuple.Items, depth);
                return;
            case byte[] or ReadOnlyMemory<byte> or Memory<byte> or ArraySegment<byte>:
                throw Refuse(value, "bytes");
            case TimeSpan:
                throw Refuse(value, "timedelta");
            case Enum:
                throw Refuse(value, "enum member; pass its name or number");
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                WriteObject(builder, pairs.Select(p => new KeyValuePair<object?, object?>(p.Key, p.Value)), depth);
                return;
            case IDictionary dictionary:
                WriteObject(builder, Entries(dictionary), depth);
                return;
            case IEnumerable sequence when IsSet(value):
                _ = sequence;
                throw Refuse(value, "set");
            case IEnumerable sequence:
                WriteArray(builder, sequence.Cast<object?>(), depth);
                return;
            default:
                throw Refuse(value, "object");
        }
    }

    /// <summary>The entries of a non-generic dictionary (its enumerator yields DictionaryEntry or KeyValuePair depending on the type).</summary>
    internal static IEnumerable<KeyValuePair<object?, object?>> Entries(IDictionary dictionary)
    {
        var enumerator = dictionary.GetEnumerator();
        while (enumerator.MoveNext())
        {
            yield return new KeyValuePair<object?, object?>(enumerator.Key, enumerator.Value);
        }
    }

    private static bool IsSet(object value) =>
        value.GetType().GetInterfaces().Any(i => i.IsGenericType &&
            (i.GetGenericTypeDefinition() == typeof(ISet<>) || i.GetGenericTypeDefinition() == typeof(IReadOnlySet<>)));

    private static TaskEncodingException Refuse(object value, string pythonKind) =>
        new($"Cannot encode a value of type {value.GetType()} in a Celery message: Celery's JSON serializer refuses it " +
            $"({pythonKind}: 'Object of type ... is not JSON serializable'). Convert it to a string, number, list or dictionary first.");

    private static void WriteArray(StringBuilder builder, IEnumerable<object?> items, int depth)
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
            Write(builder, item, depth + 1);
        }

        builder.Append(']');
    }

    private static void WriteObject(StringBuilder builder, IEnumerable<KeyValuePair<object?, object?>> pairs, int depth)
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
            WriteString(builder, KeyText(key));
            builder.Append(": ");
            Write(builder, value, depth + 1);
        }

        builder.Append('}');
    }

    // json.dumps turns str, int, float, bool and None keys into strings and refuses others.
    private static string KeyText(object? key) => key switch
    {
        string s => s,
        null => "null",
        bool b => b ? "true" : "false",
        sbyte or byte or short or ushort or int or uint or long or ulong or BigInteger =>
            ((IFormattable)key).ToString(null, CultureInfo.InvariantCulture),
        double d => FloatText(d),
        float f => FloatText(f),
        char c => c.ToString(),
        _ => throw new TaskEncodingException(
            $"Cannot encode a dictionary key of type {key.GetType()} in a Celery message: JSON keys must be str, int, float, bool or None."),
    };

    private static void WriteFloat(StringBuilder builder, double value) => builder.Append(FloatText(value));

    private static string FloatText(double value) =>
        double.IsNaN(value) ? "NaN" :
        double.IsPositiveInfinity(value) ? "Infinity" :
        double.IsNegativeInfinity(value) ? "-Infinity" :
        PythonNumberFormat.FloatRepr(value);

    private static void WriteString(StringBuilder builder, string value)
    {
        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
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
                case '\b':
                    builder.Append("\\b");
                    break;
                case '\f':
                    builder.Append("\\f");
                    break;
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

    /// <summary>Reads JSON text as <c>json.loads</c> does; throws <see cref="FormatException"/> with the position on error.</summary>
    public static object? Parse(string text)
    {
        var reader = new Reader(text);
        reader.SkipWhitespace();
        var value = reader.ReadValue(0);
        reader.SkipWhitespace();
        if (!reader.AtEnd)
        {
            throw reader.Error("extra data after the JSON value");
        }

        return value;
    }

    private sealed class Reader(string text)
    {
        private int _position;

        public bool AtEnd => _position >= text.Length;

        public FormatException Error(string what) => new($"{what} at char {_position}");

        public void SkipWhitespace()
        {
            while (_position < text.Length && text[_position] is ' ' or '\t' or '\n' or '\r')
            {
                _position++;
            }
        }

        public object? ReadValue(int depth)
        {
            if (depth > MaxDepth)
            {
                throw Error($"nesting deeper than {MaxDepth} levels");
            }

            if (AtEnd)
            {
                throw Error("expecting a value");
            }

            var c = text[_position];
            switch (c)
            {
                case '{':
                    return ReadObject(depth);
                case '[':
                    return ReadArray(depth);
                case '"':
                    return ReadString();
                case 'n' when Literal("null"):
                    return null;
                case 't' when Literal("true"):
                    return true;
                case 'f' when Literal("false"):
                    return false;
                case 'N' when Literal("NaN"):
                    return double.NaN;
                case 'I' when Literal("Infinity"):
                    return double.PositiveInfinity;
                case '-' when Literal("-Infinity"):
                    return double.NegativeInfinity;
                default:
                    if (c == '-' || char.IsAsciiDigit(c))
                    {
                        return ReadNumber();
                    }

                    throw Error("expecting a value");
            }
        }

        private bool Literal(string literal)
        {
            if (string.CompareOrdinal(text, _position, literal, 0, literal.Length) == 0)
            {
                _position += literal.Length;
                return true;
            }

            return false;
        }

        private object ReadNumber()
        {
            var start = _position;
            if (text[_position] == '-')
            {
                _position++;
            }

            if (_position < text.Length && text[_position] == '0')
            {
                _position++;
            }
            else if (_position < text.Length && text[_position] is >= '1' and <= '9')
            {
                SkipDigits();
            }
            else
            {
                throw Error("expecting a value");
            }

            var isInteger = true;
            if (_position + 1 < text.Length && text[_position] == '.' && char.IsAsciiDigit(text[_position + 1]))
            {
                isInteger = false;
                _position++;
                SkipDigits();
            }

            if (_position < text.Length && text[_position] is 'e' or 'E')
            {
                var mark = _position;
                _position++;
                if (_position < text.Length && text[_position] is '+' or '-')
                {
                    _position++;
                }

                if (_position < text.Length && char.IsAsciiDigit(text[_position]))
                {
                    isInteger = false;
                    SkipDigits();
                }
                else
                {
                    _position = mark; // Python's scanner stops before a bare 'e'
                }
            }

            var number = text.AsSpan(start, _position - start);
            if (!isInteger)
            {
                return double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture);
            }

            if (long.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var small))
            {
                return small;
            }

            return BigInteger.Parse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }

        private void SkipDigits()
        {
            while (_position < text.Length && char.IsAsciiDigit(text[_position]))
            {
                _position++;
            }
        }

        private string ReadString()
        {
            _position++; // opening quote
            var builder = new StringBuilder();
            while (true)
            {
                if (AtEnd)
                {
                    throw Error("unterminated string");
                }

                var c = text[_position++];
                if (c == '"')
                {
                    return builder.ToString();
                }

                if (c < ' ')
                {
                    _position--;
                    throw Error("invalid control character in a string");
                }

                if (c != '\\')
                {
                    builder.Append(c);
                    continue;
                }

                if (AtEnd)
                {
                    throw Error("unterminated string");
                }

                var escape = text[_position++];
                switch (escape)
                {
                    case '"': builder.Append('"'); break;
                    case '\\': builder.Append('\\'); break;
                    case '/': builder.Append('/'); break;
                    case 'b': builder.Append('\b'); break;
                    case 'f': builder.Append('\f'); break;
                    case 'n': builder.Append('\n'); break;
                    case 'r': builder.Append('\r'); break;
                    case 't': builder.Append('\t'); break;
                    case 'u':
                        if (_position + 4 > text.Length ||
                            !ushort.TryParse(text.AsSpan(_position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var unit))
                        {
                            throw Error("invalid \\uXXXX escape");
                        }

                        builder.Append((char)unit);
                        _position += 4;
                        break;
                    default:
                        _position--;
                        throw Error("invalid escape");
                }
            }
        }

        private List<object?> ReadArray(int depth)
        {
            _position++;
            var list = new List<object?>();
            SkipWhitespace();
            if (!AtEnd && text[_position] == ']')
            {
                _position++;
                return list;
            }

            while (true)
            {
                SkipWhitespace();
                list.Add(ReadValue(depth + 1));
                SkipWhitespace();
                if (AtEnd)
                {
                    throw Error("expecting ',' or ']'");
                }

                var c = text[_position++];
                if (c == ']')
                {
                    return list;
                }

                if (c != ',')
                {
                    _position--;
                    throw Error("expecting ',' or ']'");
                }
            }
        }

        private OrderedDictionary<string, object?> ReadObject(int depth)
        {
            _position++;
            var map = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
            SkipWhitespace();
            if (!AtEnd && text[_position] == '}')
            {
                _position++;
                return map;
            }

            while (true)
            {
                SkipWhitespace();
                if (AtEnd || text[_position] != '"')
                {
                    throw Error("expecting a property name in double quotes");
                }

                var key = ReadString();
                SkipWhitespace();
                if (AtEnd || text[_position] != ':')
                {
                    throw Error("expecting ':'");
                }

                _position++;
                SkipWhitespace();
                map[key] = ReadValue(depth + 1);
                SkipWhitespace();
                if (AtEnd)
                {
                    throw Error("expecting ',' or '}'");
                }

                var c = text[_position++];
                if (c == '}')
                {
                    return map;
                }

                if (c != ',')
                {
                    _position--;
                    throw Error("expecting ',' or '}'");
                }
            }
        }
    }
}
