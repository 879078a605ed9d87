using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using System.Text;
using Cadasta.WorkerToolbox.Python;

namespace Cadasta.WorkerToolbox.Configuration;

/// <summary>
/// Reads the Python literals <c>ast.literal_eval</c> accepts (Python 3.11): strings (all quote
/// forms, prefixes r/u/b, escapes, implicit concatenation), bytes, ints (decimal, hex, octal,
/// binary, underscores, unbounded), floats, complex numbers (<c>1+2j</c>), <c>True</c>,
/// <c>False</c>, <c>None</c>, tuples (also bare, <c>'a', 'b'</c>), lists, dicts, sets and
/// <c>set()</c>, nested, with comments and line breaks inside brackets.
/// Values become plain CLR values: null, bool, long (<see cref="BigInteger"/> beyond 64 bits),
/// double, <see cref="Complex"/>, string, byte[], <see cref="PythonTuple"/>,
/// <see cref="List{T}"/>, <see cref="PythonSet"/> and <see cref="Dictionary{TKey,TValue}"/>.
/// Two literals Python accepts are refused because no setting can use them: <c>...</c> and
/// dicts with non-string keys; unhashable set items are refused as Python refuses them.
/// </summary>
internal sealed partial class PythonLiteralParser
{
    private const int MaxNesting = 100;

    private readonly string _text;
    private int _position;
    private int _nesting;

    private PythonLiteralParser(string text) => _text = text;

    private enum NodeKind
    {
        Constant,
        SignedNumber,
        Container,
    }

    /// <summary>Parses <paramref name="text"/> as <c>ast.literal_eval</c> would.</summary>
    /// <exception cref="PythonLiteralException">The text is not a literal; the message says why.</exception>
    public static object? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new PythonLiteralParser(text).ParseWhole();
    }

    private object? ParseWhole()
    {
        if (_text.Contains('\0', StringComparison.Ordinal))
        {
            throw new PythonLiteralException("source code string cannot contain null bytes");
        }

        SkipTrivia(allowNewlines: true);
        if (AtEnd)
        {
            throw new PythonLiteralException("the value is empty");
        }

        var first = ParseExpression().Value;
        SkipTrivia(allowNewlines: false);
        object? result = first;
        if (Peek == ',')
        {
            // A bare tuple: 'msg', 'export' is the same as ('msg', 'export').
            var items = new List<object?> { first };
            while (Peek == ',')
            {
                _position++;
                SkipTrivia(allowNewlines: false);
                if (AtEnd || Peek is '\n' or '\r' or '#')
                {
                    break;
                }

                items.Add(ParseExpression().Value);
                SkipTrivia(allowNewlines: false);
            }

            result = new PythonTuple(items);
        }

        SkipTrivia(allowNewlines: true);
        if (!AtEnd)
        {
            throw Unexpected();
        }

        return _notLiteral is null ? result : throw _notLiteral;
    }

    private bool AtEnd => _position >= _text.Length;

    private char Peek => AtEnd ? '\0' : _text[_position];

    private char PeekAt(int offset) => _position + offset < _text.Length ? _text[_position + offset] : '\0';

    private PythonLiteralException Unexpected() => AtEnd
        ? new PythonLiteralException(_nesting > 0 ? "a bracket is never closed" : "unexpected end of the value")
        : new PythonLiteralException($"invalid syntax at column {_position + 1} ('{_text[_position]}')");

    // literal_eval parses first and evaluates after, so a syntax error anywhere is reported before
    // a well-formed expression that is not a literal: remember the latter, go on, report it at the end.
    private PythonLiteralException? _notLiteral;

    private object? NotLiteral(string what) => Defer($"malformed node or string: {what} is not a literal");

    private object? Defer(string message)
    {
        _notLiteral ??= new PythonLiteralException(message);
        return null;
    }

    // Whitespace, comments and line continuations; line breaks only inside brackets (as Python's tokenizer).
    private void SkipTrivia(bool allowNewlines)
    {
        var newlinesAllowed = allowNewlines || _nesting > 0;
        while (!AtEnd)
        {
            var c = _text[_position];
            if (c is ' ' or '\t' or '\f')
            {
                _position++;
            }
            else if (c == '#')
            {
                while (!AtEnd && _text[_position] is not ('\n' or '\r'))
                {
                    _position++;
                }
            }
            else if (c == '\\' && PeekAt(1) is '\n' or '\r')
            {
                _position += PeekAt(1) == '\r' && PeekAt(2) == '\n' ? 3 : 2;
            }
            else if (c is '\n' or '\r' && newlinesAllowed)
            {
                _position++;
            }
            else
            {
                return;
            }
        }
    }

    private (object? Value, NodeKind Kind) ParseExpression()
    {
        var (left, leftKind) = ParseSigned();
        SkipTrivia(allowNewlines: false);
        if (Peek is not ('+' or '-'))
        {
            return (left, leftKind);
        }

        // literal_eval accepts exactly one binary form: a real number plus or minus an imaginary one.
        var subtract = Peek == '-';
        _position++;
        SkipTrivia(allowNewlines: false);
        var (right, rightKind) = ParseAtom();
        if (leftKind is not (NodeKind.Constant or NodeKind.SignedNumber) || left is not (long or BigInteger or double)
            || rightKind != NodeKind.Constant || right is not Complex imaginary)
        {
            return (NotLiteral("an arithmetic expression"), NodeKind.Container);
        }

        var real = left switch
        {
            long l => l,
            BigInteger b => (double)b,
            _ => (double)left,
        };
        return (subtract ? new Complex(real, 0) - imaginary : new Complex(real, 0) + imaginary, NodeKind.Container);
    }

    private (object? Value, NodeKind Kind) ParseSigned()
    {
        if (Peek is not ('+' or '-'))
        {
            return ParseAtom();
        }

        var negate = Peek == '-';
        _position++;
        SkipTrivia(allowNewlines: false);
        var (operand, kind) = ParseAtom();
        if (kind != NodeKind.Constant || operand is not (long or BigInteger or double or Complex))
        {
            return (NotLiteral("a sign before something other than a number"), NodeKind.Container);
        }

        if (!negate)
        {
            return (operand, NodeKind.SignedNumber);
        }

        object negated = operand switch
        {
            long l => Narrow(-(BigInteger)l),
            BigInteger b => Narrow(-b),
            double d => -d,
            _ => -(Complex)operand,
        };
        return (negated, NodeKind.SignedNumber);
    }

    private (object? Value, NodeKind Kind) ParseAtom()
    {
        var c = Peek;
        if (c is '(' or '[' or '{')
        {
            if (++_nesting > MaxNesting)
            {
                throw new PythonLiteralException($"the value is nested more than {MaxNesting} levels deep");
            }

            _position++;
            var parsed = c switch
            {
                '(' => ParseParenthesised(),
                '[' => (ParseSequenceUntil(']'), NodeKind.Container),
                _ => (ParseBraces(), NodeKind.Container),
            };
            _nesting--;
            return parsed;
        }

        if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(PeekAt(1))))
        {
            return (ParseNumber(), NodeKind.Constant);
        }

        if (c is '\'' or '"')
        {
            return (ParseStrings(), NodeKind.Constant);
        }

        if (c == '_' || char.IsLetter(c))
        {
            return ParseNameOrPrefixedString();
        }

        throw Unexpected();
    }

    private (object? Value, NodeKind Kind) ParseParenthesised()
    {
        SkipTrivia(allowNewlines: true);
        if (Peek == ')')
        {
            _position++;
            return (new PythonTuple([]), NodeKind.Container);
        }

        var first = ParseExpression();
        SkipTrivia(allowNewlines: true);
        if (Peek == ')')
        {
            _position++;
            return first; // parentheses only group: (1) is the constant 1
        }

        if (Peek != ',')
        {
            throw Unexpected();
        }

        _position++;
        var rest = ParseSequenceUntil(')');
        rest.Insert(0, first.Value);
        return (new PythonTuple(rest), NodeKind.Container);
    }

    // Items separated by commas, an optional trailing comma, then the closing bracket.
    private List<object?> ParseSequenceUntil(char closing)
    {
        var items = new List<object?>();
        while (true)
        {
            SkipTrivia(allowNewlines: true);
            if (Peek == closing)
            {
                _position++;
                return items;
            }

            items.Add(ParseExpression().Value);
            SkipTrivia(allowNewlines: true);
            if (Peek == ',')
            {
                _position++;
            }
            else if (Peek != closing)
            {
                throw Unexpected();
            }
        }
    }

    private object ParseBraces()
    {
        SkipTrivia(allowNewlines: true);
        if (Peek == '}')
        {
            _position++;
            return new Dictionary<string, object?>(StringComparer.Ordinal);
        }

        var first = ParseExpression().Value;
        SkipTrivia(allowNewlines: true);
        if (Peek != ':')
        {
            var items = new List<object?> { first };
            if (Peek == ',')
            {
                _position++;
                items.AddRange(ParseSequenceUntil('}'));
            }
            else if (Peek == '}')
            {
                _position++;
            }
            else
            {
                throw Unexpected();
            }

            return MakeSet(items);
        }

        var dictionary = new Dictionary<string, object?>(StringComparer.Ordinal);
        var key = first;
        while (true)
        {
            _position++; // the ':'
            SkipTrivia(allowNewlines: true);
            var value = ParseExpression().Value;
            dictionary[AsDictionaryKey(key)] = value;
            SkipTrivia(allowNewlines: true);
            if (Peek == ',')
            {
                _position++;
                SkipTrivia(allowNewlines: true);
            }
            else if (Peek != '}')
            {
                throw Unexpected();
            }

            if (Peek == '}')
            {
                _position++;
                return dictionary;
            }

            key = ParseExpression().Value;
            SkipTrivia(allowNewlines: true);
            if (Peek != ':')
            {
                throw Unexpected();
            }
        }
    }

    private string AsDictionaryKey(object? key)
    {
        if (key is string text)
        {
            return text;
        }

        Defer($"dictionary keys must be strings here, not {PythonRepr.TypeName(key)} ({PythonRepr.Repr(key)})");
        return string.Empty;
    }

    private PythonSet MakeSet(List<object?> items)
    {
        var distinct = new List<object?>();
        foreach (var item in items)
        {
            if (item is IReadOnlyList<object?> and not PythonTuple || item is IReadOnlyDictionary<string, object?>)
            {
                Defer($"unhashable type: '{PythonRepr.TypeName(item)}'");
                continue;
            }

            if (!distinct.Any(known => PythonValues.AreEqual(known, item)))
            {
                distinct.Add(item);
            }
        }

        return new PythonSet(distinct);
    }

    private (object? Value, NodeKind Kind) ParseNameOrPrefixedString()
    {
        var start = _position;
        while (!AtEnd && (_text[_position] == '_' || char.IsLetterOrDigit(_text[_position])))
        {
            _position++;
        }

        var name = _text[start.._position];
        if (Peek is '\'' or '"' && name.Length <= 2)
        {
            _position = start;
            return (ParseStrings(), NodeKind.Constant);
        }

        switch (name)
        {
            case "True":
                return (true, NodeKind.Constant);
            case "False":
                return (false, NodeKind.Constant);
            case "None":
                return (null, NodeKind.Constant);
            case "set":
                SkipTrivia(allowNewlines: false);
                if (Peek == '(')
                {
                    _position++;
                    _nesting++;
                    SkipTrivia(allowNewlines: true);
                    _nesting--;
                    if (Peek == ')')
                    {
                        _position++;
                        return (new PythonSet([]), NodeKind.Container);
                    }

                    throw new PythonLiteralException("malformed node or string: a call of set() with arguments is not a literal");
                }

                return (NotLiteral("the name 'set'"), NodeKind.Container);
            default:
                return (NotLiteral($"the name '{name}'"), NodeKind.Container);
        }
    }

    private object ParseNumber()
    {
        var match = NumberPattern().Match(_text, _position);
        if (!match.Success || match.Index != _position)
        {
            throw Unexpected();
        }

        var token = match.Value;
        _position += token.Length;
        if (!AtEnd && (char.IsLetterOrDigit(_text[_position]) || _text[_position] is '_' or '.'))
        {
            throw new PythonLiteralException($"invalid number literal at column {match.Index + 1} ('{token}{_text[_position]}')");
        }

        var digits = token.Replace("_", string.Empty, StringComparison.Ordinal);
        if (match.Groups["radix"].Success)
        {
            var radix = char.ToLowerInvariant(digits[1]) switch { 'x' => 16, 'o' => 8, _ => 2 };
            var value = BigInteger.Zero;
            foreach (var digit in digits.AsSpan(2))
            {
                value = (value * radix) + Convert.ToInt32(digit.ToString(), 16);
            }

            return Narrow(value);
        }

        if (match.Groups["imaginary"].Success)
        {
            return new Complex(0, double.Parse(digits[..^1], NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        if (match.Groups["float"].Success)
        {
            return double.Parse(digits, NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        return Narrow(BigInteger.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture));
    }

    /// <summary>Python ints are unbounded; they are a long when they fit, a BigInteger otherwise.</summary>
    internal static object Narrow(BigInteger value) =>
        value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;

    // One or more adjacent string literals, concatenated as Python does ('a' 'b' == 'ab').
    private object ParseStrings()
    {
        var text = new StringBuilder();
        bool? isBytes = null;
        while (true)
        {
            var (piece, bytes) = ParseOneString();
            if (isBytes is not null && isBytes != bytes)
            {
                throw new PythonLiteralException("cannot mix bytes and nonbytes literals");
            }

            isBytes = bytes;
            text.Append(piece);
            SkipTrivia(allowNewlines: false);
            var prefixLength = 0;
            while (prefixLength < 3 && char.IsAsciiLetter(PeekAt(prefixLength)))
            {
                prefixLength++;
            }

            if (PeekAt(prefixLength) is not ('\'' or '"'))
            {
                break;
            }
        }

        return isBytes == true ? Encoding.Latin1.GetBytes(text.ToString()) : text.ToString();
    }

    private (string Text, bool IsBytes) ParseOneString()
    {
        var start = _position;
        while (char.IsAsciiLetter(Peek))
        {
            _position++;
        }

        var prefix = _text[start.._position].ToLowerInvariant();
        if (prefix is not ("" or "r" or "u" or "b" or "br" or "rb" or "f" or "fr" or "rf"))
        {
            throw new PythonLiteralException($"invalid syntax at column {start + 1} ('{_text[start.._position]}' before a string)");
        }

        if (prefix.Contains('f', StringComparison.Ordinal))
        {
            NotLiteral("an f-string");
        }

        var raw = prefix.Contains('r', StringComparison.Ordinal);
        var isBytes = prefix.Contains('b', StringComparison.Ordinal);
        var quote = _text[_position];
        var triple = PeekAt(1) == quote && PeekAt(2) == quote;
        _position += triple ? 3 : 1;
        var text = new StringBuilder();
        while (true)
        {
            if (AtEnd)
            {
                throw new PythonLiteralException($"unterminated string literal starting at column {start + 1}");
            }

            var c = _text[_position];
            if (c == quote && (!triple || (PeekAt(1) == quote && PeekAt(2) == quote)))
            {
                _position += triple ? 3 : 1;
                return (text.ToString(), isBytes);
            }

            if (c is '\n' or '\r' && !triple)
            {
                throw new PythonLiteralException($"unterminated string literal starting at column {start + 1}");
            }

            if (isBytes && c > 0x7F)
            {
                throw new PythonLiteralException("bytes can only contain ASCII literal characters");
            }

            if (c != '\\')
            {
                text.Append(c);
                _position++;
                continue;
            }

            if (_position + 1 >= _text.Length)
            {
                throw new PythonLiteralException($"unterminated string literal starting at column {start + 1}");
            }

            if (raw)
            {
                // In raw strings a backslash keeps the next character, but still stops it ending the string.
                text.Append(c).Append(_text[_position + 1]);
                _position += 2;
                continue;
            }

            _position++;
            AppendEscape(text, isBytes);
        }
    }

    private void AppendEscape(StringBuilder text, bool isBytes)
    {
        var escape = _text[_position++];
        switch (escape)
        {
            case '\n':
                return;
            case '\r':
                if (Peek == '\n')
                {
                    _position++;
                }

                return;
            case '\\' or '\'' or '"':
                text.Append(escape);
                return;
            case 'a': text.Append('\a'); return;
            case 'b': text.Append('\b'); return;
            case 'f': text.Append('\f'); return;
            case 'n': text.Append('\n'); return;
            case 'r': text.Append('\r'); return;
            case 't': text.Append('\t'); return;
            case 'v': text.Append('\v'); return;
            case >= '0' and <= '7':
                var octal = escape - '0';
                for (var i = 0; i < 2 && Peek is >= '0' and <= '7'; i++)
                {
                    octal = (octal * 8) + (_text[_position++] - '0');
                }

                if (isBytes && octal > 0xFF)
                {
                    throw new PythonLiteralException($"octal escape value \\{Convert.ToString(octal, 8)} is out of range for bytes");
                }

                text.Append((char)octal);
                return;
            case 'x':
                text.Append((char)ReadHex(2, "\\xXX"));
                return;
            case 'u' when !isBytes:
                text.Append((char)ReadHex(4, "\\uXXXX"));
                return;
            case 'U' when !isBytes:
                var codePoint = ReadHex(8, "\\UXXXXXXXX");
                text.Append(char.ConvertFromUtf32(codePoint));
                return;
            case 'N' when !isBytes:
                throw new PythonLiteralException("\\N{...} escapes are not supported; write the character or a \\u escape");
            default:
                // Python keeps unknown escapes as they are (with a DeprecationWarning).
                text.Append('\\').Append(escape);
                return;
        }
    }

    private int ReadHex(int length, string form)
    {
        if (_position + length > _text.Length
            || !long.TryParse(_text.AsSpan(_position, length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            throw new PythonLiteralException($"truncated {form} escape");
        }

        if (value > 0x10FFFF)
        {
            throw new PythonLiteralException($"illegal Unicode character in {form} escape");
        }

        _position += length;
        return (int)value;
    }

    [GeneratedRegex(
        @"\G(?:(?<radix>0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+)"
        + @"|(?<imaginary>(?:(?:[0-9](?:_?[0-9])*)?\.[0-9](?:_?[0-9])*(?:[eE][+-]?[0-9](?:_?[0-9])*)?|[0-9](?:_?[0-9])*\.?(?:[eE][+-]?[0-9](?:_?[0-9])*)?)[jJ])"
        + @"|(?<float>(?:[0-9](?:_?[0-9])*)?\.[0-9](?:_?[0-9])*(?:[eE][+-]?[0-9](?:_?[0-9])*)?|[0-9](?:_?[0-9])*\.(?:[eE][+-]?[0-9](?:_?[0-9])*)?|[0-9](?:_?[0-9])*[eE][+-]?[0-9](?:_?[0-9])*)"
        + @"|(?<integer>[1-9](?:_?[0-9])*|0(?:_?0)*))",
        RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();
}
