using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;
using Cadasta.WorkerToolbox.Python;

namespace Cadasta.WorkerToolbox.Protocol;

/// <summary>
/// Celery's <c>celery.utils.saferepr.saferepr</c>, token for token, as used for the
/// <c>argsrepr</c>/<c>kwargsrepr</c> headers. It is NOT Python's <c>repr</c>: strings are put in
/// single quotes with only <c>'</c> escaped (newlines, backslashes and non-ASCII stay raw);
/// containers deeper than 3 levels print as <c>[...]</c>, <c>{...}</c>, <c>(...)</c>; with a
/// length limit the text is cut token by token (<c>truncate</c> adds <c>...</c>) and ends with
/// <c>, ...</c> plus the closing brackets still open. Lengths count code points, as Python does.
/// </summary>
internal static class CelerySafeRepr
{
    /// <summary>Celery's <c>AMQP.argsrepr_maxsize</c> and <c>kwargsrepr_maxsize</c>.</summary>
    public const int CeleryMaxSize = 1024;

    private const int MaxLevels = 3;

    private static readonly Literal DictStart = new("{", false, +1);
    private static readonly Literal DictKeyValueSeparator = new(": ", true, 0);
    private static readonly Literal DictEnd = new("}", false, -1);
    private static readonly Literal ListStart = new("[", false, +1);
    private static readonly Literal ListEnd = new("]", false, -1);
    private static readonly Literal Separator = new(", ", true, 0);
    private static readonly Literal TupleStart = new("(", false, +1);
    private static readonly Literal TupleEnd = new(")", false, -1);
    private static readonly Literal TupleEndSingle = new(",)", false, -1);

    /// <summary>The saferepr text of <paramref name="value"/>, cut at <paramref name="maxLength"/> when given.</summary>
    public static string SafeRepr(object? value, int? maxLength = null)
    {
        var stack = new LinkedList<IEnumerator<object?>>();
        stack.AddLast(Once(value).GetEnumerator());
        var builder = new StringBuilder();
        var remaining = maxLength;
        foreach (var (token, iterator) in ReprStream(stack))
        {
            if (remaining is <= 0)
            {
                builder.Append(", ...");
                stack.AddLast(iterator);
                break;
            }

            var text = token switch
            {
                Literal literal => literal.Value,
                Key key => SafeRepr(key.Value, remaining),
                Quoted quoted => "'" + Truncate(quoted.Value, remaining).Replace("'", "\\'", StringComparison.Ordinal) + "'",
                Text plain => Truncate(plain.Value, remaining),
                _ => throw new InvalidOperationException("unknown repr token"),
            };
            builder.Append(text);
            if (remaining is not null)
            {
                remaining -= PythonStr.Length(text);
            }
        }

        // The limit was hit: print the closing brackets still pending, as Celery does.
        foreach (var rest in stack)
        {
            while (rest.MoveNext())
            {
                if (rest.Current is Literal { Truncatable: false } literal)
                {
                    builder.Append(literal.Value);
                }
            }
        }

        return builder.ToString();
    }

    private static IEnumerable<(object Token, IEnumerator<object?> Iterator)> ReprStream(LinkedList<IEnumerator<object?>> stack)
    {
        var level = 0;
        while (stack.Count > 0)
        {
            var iterator = stack.First!.Value;
            stack.RemoveFirst();
            while (iterator.MoveNext())
            {
                var value = iterator.Current;
                switch (value)
                {
                    case Literal literal:
                        level += literal.Direction;
                        yield return (literal, iterator);
                        continue;
                    case Key key:
                        yield return (key, iterator);
                        continue;
                    case null:
                        yield return (new Text("None"), iterator);
                        continue;
                    case bool b:
                        yield return (new Text(b ? "True" : "False"), iterator);
                        continue;
                    case sbyte or byte or short or ushort or int or uint or long or ulong or BigInteger or Int128 or UInt128:
                        yield return (new Text(((IFormattable)value).ToString(null, CultureInfo.InvariantCulture)), iterator);
                        continue;
                    case double d:
                        yield return (new Text(PythonFloat.Repr(d)), iterator);
                        continue;
                    case float f:
                        yield return (new Text(PythonFloat.Repr(f)), iterator);
                        continue;
                    case decimal m:
                        yield return (new Text("Decimal('" + PythonFloat.DecimalStr(m) + "')"), iterator);
                        continue;
                    case string s:
                        yield return (new Quoted(s), iterator);
                        continue;
                    case char c:
                        yield return (new Quoted(c.ToString()), iterator);
                        continue;
                }

                if (!TryContainer(value, out var start, out var end, out var elements))
                {
                    // Other objects (dates, UUIDs...) travel as the strings kombu makes of them.
                    yield return (new Quoted(CeleryJson.Parse(CeleryJson.Serialize(value)) as string ?? value.ToString() ?? string.Empty), iterator);
                    continue;
                }

                if (level >= MaxLevels)
                {
                    yield return (new Text(start.Value + "..." + end.Value), iterator);
                    continue;
                }

                stack.AddLast(Chain(start, elements, end, Rest(iterator)).GetEnumerator());
                break;
            }
        }
    }

    private static bool TryContainer(object value, out Literal start, out Literal end, out IEnumerable<object?> elements)
    {
        switch (value)
        {
            case PythonTuple tuple:
                start = TupleStart;
                end = tuple.Items.Count == 1 ? TupleEndSingle : TupleEnd;
                elements = ChainList(tuple.Items);
                return true;
            case Signature signature:
                // A Signature is a dict subclass whose args are a tuple in Python.
                start = DictStart;
                end = DictEnd;
                elements = ChainDict(signature.ToReprDictionary());
                return true;
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                start = DictStart;
                end = DictEnd;
                elements = ChainDict(pairs.ToList());
                return true;
            case IDictionary dictionary:
                start = DictStart;
                end = DictEnd;
                elements = ChainDict(PythonJson.Entries(dictionary)
                    .Select(e => new KeyValuePair<string, object?>(Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "None", e.Value)).ToList());
                return true;
            case IEnumerable sequence when value is not string and not byte[]:
                start = ListStart;
                end = ListEnd;
                elements = ChainList(sequence.Cast<object?>().ToList());
                return true;
            default:
                start = end = Separator;
                elements = [];
                return false;
        }
    }

    private static IEnumerable<object?> ChainDict(IReadOnlyList<KeyValuePair<string, object?>> pairs)
    {
        for (var i = 0; i < pairs.Count; i++)
        {
            yield return new Key(pairs[i].Key);
            yield return DictKeyValueSeparator;
            yield return pairs[i].Value;
            if (i < pairs.Count - 1)
            {
                yield return Separator;
            }
        }
    }

    private static IEnumerable<object?> ChainList(IReadOnlyList<object?> items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            yield return items[i];
            if (i < items.Count - 1)
            {
                yield return Separator;
            }
        }
    }

    private static IEnumerable<object?> Chain(Literal start, IEnumerable<object?> elements, Literal end, IEnumerable<object?> rest)
    {
        yield return start;
        foreach (var element in elements)
        {
            yield return element;
        }

        yield return end;
        foreach (var item in rest)
        {
            yield return item;
        }
    }

    private static IEnumerable<object?> Rest(IEnumerator<object?> iterator)
    {
        while (iterator.MoveNext())
        {
            yield return iterator.Current;
        }
    }

    private static IEnumerable<object?> Once(object? value)
    {
        yield return value;
    }

    /// <summary>Celery's <c>truncate</c>: at or over the limit, cut, drop the last partial word, add <c>...</c>.</summary>
    internal static string Truncate(string text, int? maxLength)
    {
        if (maxLength is not { } max || max == 0 || PythonStr.Length(text) < max)
        {
            return text;
        }

        var cut = PythonStr.Prefix(text, max);
        var space = cut.LastIndexOf(' ');
        return (space < 0 ? cut : cut[..space]) + "...";
    }

    private sealed record Literal(string Value, bool Truncatable, int Direction);

    private sealed record Key(string Value);

    private sealed record Quoted(string Value);

    private sealed record Text(string Value);
}
