using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Razorvine.Pickle;
using Razorvine.Pickle.Objects;

namespace Cadasta.WorkerToolbox.Results;

/// <summary>
/// The result column's format: a Python pickle. We write protocol 2 (the only one Razorvine.Pickle writes; every
/// Python from 2.3 on reads it, including the platform's Python 3.5, which cannot read Celery 5.2's protocol 5).
/// We read every protocol (0-5). CLR values are converted first so that each pickles as the Python type a
/// JSON-like value has, and Python values are mapped back to JSON-like CLR values on reading: a dict becomes a
/// <see cref="Dictionary{TKey, TValue}"/> in the dict's own (insertion) order (<see cref="OrderedDictUnpickler"/>).
/// </summary>
internal static class ResultPickle
{
    public const int Protocol = Pickler.PROTOCOL;

    // Nested deeper than this is certainly not a task result; Razorvine itself stops at 200 levels.
    private const int MaxDepth = 100;

    public static byte[] Dumps(object? value)
    {
        var python = ToPython(value, 0);
        using var pickler = new Pickler(false);
        return pickler.dumps(python!);
    }

    public static object? Loads(byte[] pickle)
    {
        using var unpickler = new OrderedDictUnpickler();
        object? python;
        try
        {
            python = unpickler.LoadOrdered(pickle);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            throw new ResultStoreException(
                "The stored result is a pickle of a Python object this reader cannot map to a .NET value "
                + "(for example a timezone-aware datetime or a custom class): " + exception.Message,
                exception);
        }

        return FromPython(python, 0);
    }

    /// <summary>The exception dict Celery stores for FAILURE, RETRY and REVOKED; exc_message is a tuple.</summary>
    public static byte[] DumpsError(TaskError error)
    {
        var arguments = error.Arguments.Select(argument => ToPython(argument, 1)).ToArray();
        var dict = new Dictionary<string, object?>
        {
            ["exc_type"] = error.ExceptionType,
            ["exc_message"] = arguments,
            ["exc_module"] = error.ExceptionModule,
        };
        using var pickler = new Pickler(false);
        return pickler.dumps(dict);
    }

    /// <summary>Reads the exception of an exception-state row; null when the value is not an exception.</summary>
    public static TaskError? ErrorFromValue(object? value)
    {
        if (value is IReadOnlyDictionary<string, object?> dict && dict.TryGetValue("exc_type", out var type) && type is string typeName)
        {
            var module = dict.TryGetValue("exc_module", out var moduleValue) && moduleValue is string moduleName ? moduleName : "builtins";
            var message = dict.TryGetValue("exc_message", out var messageValue) ? messageValue : null;
            IReadOnlyList<object?> arguments = message switch
            {
                IReadOnlyList<object?> list => list,
                null => [],
                _ => [message],
            };
            return new TaskError(typeName, module, arguments);
        }

        return null;
    }

    internal static object? ToPython(object? value, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException($"The result is nested more than {MaxDepth} levels deep.", nameof(value));
        }

        switch (value)
        {
            case null:
                return null;
            case string or bool or double or long or decimal:
                return value;
            case int or short or sbyte or byte or ushort or uint:
                return Convert.ToInt64(value, CultureInfo.InvariantCulture);
            case ulong number:
                return number <= long.MaxValue ? (long)number : number;
            case float number:
                return (double)number;
            case char character:
                return character.ToString();
            case BigInteger big:
                return BigToPython(big);
            case Guid guid:
                return guid.ToString();
            case DateTimeOffset moment:
                // Naive UTC, as Celery itself keeps times; Razorvine cannot pickle DateTimeOffset.
                return DateTime.SpecifyKind(moment.UtcDateTime, DateTimeKind.Unspecified);
            case DateTime or TimeSpan:
                return value;
            case Enum:
                return value.ToString();
            case byte[] bytes:
                return bytes;
            case JsonElement element:
                return JsonElementToPython(element, depth);
            case IDictionary dictionary:
                {
                    var converted = new Dictionary<object, object?>(dictionary.Count);
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        converted[ToPython(entry.Key, depth + 1)!] = ToPython(entry.Value, depth + 1);
                    }

                    return converted;
                }

            case IEnumerable<KeyValuePair<string, object?>> pairs:
                {
                    var converted = new Dictionary<object, object?>();
                    foreach (var pair in pairs)
                    {
                        converted[pair.Key] = ToPython(pair.Value, depth + 1);
                    }

                    return converted;
                }

            case IEnumerable items:
                {
                    var converted = new List<object?>();
                    foreach (var item in items)
                    {
                        converted.Add(ToPython(item, depth + 1));
                    }

                    return converted;
                }

            default:
                throw new ArgumentException(
                    $"A result must be a JSON-like value (null, bool, integer, floating point, string, list, dictionary); got {value.GetType()}.",
                    nameof(value));
        }
    }

    internal static object? FromPython(object? value, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ResultStoreException($"The stored result is nested more than {MaxDepth} levels deep.");
        }

        switch (value)
        {
            case null or string or bool or double or long or decimal or DateTime or TimeSpan or byte[]:
                return value;
            case int number:
                return (long)number;
            case BigInteger big:
                return big >= long.MinValue && big <= long.MaxValue ? (long)big : big;
            case float number:
                return (double)number;
            case PythonException exception:
                return new Dictionary<string, object?>
                {
                    ["exc_type"] = ExceptionTypeName(exception.PythonExceptionType),
                    ["exc_message"] = new List<object?> { exception.Message },
                    ["exc_module"] = ExceptionModuleName(exception.PythonExceptionType),
                };
            case ClassDict classDict:
                {
                    // An instance of a class Razorvine does not know: its __dict__, with "__class__" naming the class.
                    var converted = new Dictionary<string, object?>(StringComparer.Ordinal);
                    foreach (var pair in classDict)
                    {
                        converted[pair.Key] = FromPython(pair.Value, depth + 1);
                    }

                    return converted;
                }

            case IDictionary dictionary:
                {
                    var converted = new Dictionary<string, object?>(dictionary.Count, StringComparer.Ordinal);
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        converted[KeyText(FromPython(entry.Key, depth + 1))] = FromPython(entry.Value, depth + 1);
                    }

                    return converted;
                }

            case IEnumerable items:
                {
                    // list (ArrayList), tuple (object[]), set (HashSet<object>) all become lists.
                    var converted = new List<object?>();
                    foreach (var item in items)
                    {
                        converted.Add(FromPython(item, depth + 1));
                    }

                    return converted;
                }

            default:
                return value;
        }
    }

    private static long BigToPython(BigInteger big)
    {
        if (big >= long.MinValue && big <= long.MaxValue)
        {
            return (long)big;
        }

        // Razorvine.Pickle 1.5.0 cannot write integers beyond 64 bits without a process-wide custom pickler.
        throw new ArgumentException($"Integers beyond 64 bits cannot be stored as a result ({big}).");
    }

    private static object? JsonElementToPython(JsonElement element, int depth) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var whole) ? (object)whole : element.GetDouble(),
        JsonValueKind.Array => element.EnumerateArray().Select(item => JsonElementToPython(item, depth + 1)).ToList(),
        _ => element.EnumerateObject().ToDictionary(property => (object)property.Name, property => JsonElementToPython(property.Value, depth + 1)),
    };

    // JSON object keys are text; Python dicts with int keys become "1" as kombu's JSON encoder makes them.
    private static string KeyText(object? key) => key switch
    {
        string text => text,
        null => "null",
        bool flag => flag ? "true" : "false",
        _ => Convert.ToString(key, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private static string ExceptionTypeName(string qualified)
    {
        var dot = qualified.LastIndexOf('.');
        return dot < 0 ? qualified : qualified[(dot + 1)..];
    }

    private static string ExceptionModuleName(string qualified)
    {
        var dot = qualified.LastIndexOf('.');
        return dot < 0 ? "builtins" : qualified[..dot];
    }
}
