using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;
using Cadasta.WorkerToolbox.Python;

namespace Cadasta.WorkerToolbox.Protocol;

/// <summary>
/// JSON exactly as kombu 5.2 writes it: <see cref="PythonJson"/> (Python's <c>json.dumps</c>
/// defaults) with kombu's encoder as the <c>default</c> hook. ASCII only (<c>\uXXXX</c>,
/// lower-case hex, surrogate pairs for astral characters), separators <c>", "</c> and <c>": "</c>, floats as Python's repr, <c>NaN</c>/<c>Infinity</c>,
/// and kombu's conversions of dates, times, decimals and UUIDs. Reading follows
/// <c>json.loads</c>: integers stay integers (<see cref="long"/>, or <see cref="BigInteger"/>
/// beyond 64 bits), numbers with a fraction or exponent are <see cref="double"/>, objects keep
/// their key order (a repeated key keeps its first position and its last value).
/// </summary>
internal static class CeleryJson
{
    /// <summary>
    /// kombu's <c>JSONEncoder.default</c>: dates, times, decimals and UUIDs become strings,
    /// tuples and signatures their JSON forms; what kombu refuses throws <see cref="TaskEncodingException"/>.
    /// </summary>
    internal static PythonJsonDefault KombuEncoding { get; } = new(KombuDefault, message => new TaskEncodingException(message));

    /// <summary>Writes a value; throws <see cref="TaskEncodingException"/> for what kombu refuses.</summary>
    public static string Serialize(object? value) => PythonJson.Serialize(value, KombuEncoding);

    /// <summary>Appends a value as kombu writes it; throws <see cref="TaskEncodingException"/> for what kombu refuses.</summary>
    public static void Write(StringBuilder builder, object? value) => PythonJson.Write(builder, value, KombuEncoding);

    /// <summary>
    /// Turns a CLR value into the JSON-like value kombu would produce on the wire (dates to
    /// strings, tuples to lists, signatures to dicts...), so a decoded message compares equal.
    /// </summary>
    public static object? Normalize(object? value) => Parse(Serialize(value));

    private static object? KombuDefault(object value) => value switch
    {
        char c => c.ToString(),
        decimal m => PythonFloat.DecimalStr(m),
        DateTimeOffset dto => CeleryTimestamp.FormatKombu(dto),
        DateTime dt => dt.Kind switch
        {
            DateTimeKind.Utc => CeleryTimestamp.FormatKombu(new DateTimeOffset(dt)),
            DateTimeKind.Local => CeleryTimestamp.FormatKombu(new DateTimeOffset(dt)),
            _ => CeleryTimestamp.FormatLocalPart(dt),
        },
        DateOnly date => CeleryTimestamp.FormatLocalPart(date.ToDateTime(TimeOnly.MinValue)),
        TimeOnly time => CeleryTimestamp.FormatTime(time),
        Guid guid => guid.ToString("D"),
        Signature signature => signature.ToDictionary(),
        PythonTuple tuple => tuple.Items,
        byte[] or ReadOnlyMemory<byte> or Memory<byte> or ArraySegment<byte> => throw Refuse(value, "bytes"),
        TimeSpan => throw Refuse(value, "timedelta"),
        Enum => throw Refuse(value, "enum member; pass its name or number"),
        IEnumerable<KeyValuePair<string, object?>> or IDictionary => value,
        IEnumerable when PythonJson.IsSet(value) => throw Refuse(value, "set"),
        IEnumerable => value,
        _ => throw Refuse(value, "object"),
    };

    private static TaskEncodingException Refuse(object value, string pythonKind) =>
        new($"Cannot encode a value of type {value.GetType()} in a Celery message: Celery's JSON serializer refuses it " +
            $"({pythonKind}: 'Object of type ... is not JSON serializable'). Convert it to a string, number, list or dictionary first.");

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
            if (depth > PythonJson.MaxDepth)
            {
                throw Error($"nesting deeper than {PythonJson.MaxDepth} levels");
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
