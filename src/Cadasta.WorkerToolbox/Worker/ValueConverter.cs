using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// Converts between the JSON-like CLR values a message carries (null, bool, long, double,
/// string, lists, string-keyed dictionaries) and the types a task declares. Scalars are
/// converted strictly (a string never becomes a number); collections and records go through
/// System.Text.Json with snake_case property names, Python's convention.
/// </summary>
internal static class ValueConverter
{
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = true,
        Converters = { new JsonLikeObjectConverter() },
    };

    /// <summary>Converts <paramref name="value"/> to <paramref name="target"/>, or throws <see cref="InvalidCastException"/> describing the mismatch.</summary>
    public static object? ToClr(object? value, Type target)
    {
        if (target == typeof(object))
        {
            return value;
        }

        var underlying = Nullable.GetUnderlyingType(target);
        if (value is null)
        {
            return underlying is not null || !target.IsValueType ? null : throw Mismatch(value, target);
        }

        target = underlying ?? target;
        if (target.IsInstanceOfType(value))
        {
            return value;
        }

        try
        {
            return target switch
            {
                _ when target == typeof(string) => throw Mismatch(value, target),
                _ when target == typeof(bool) => throw Mismatch(value, target),
                _ when target.IsEnum => ToEnum(value, target),
                _ when IsInteger(target) => ToInteger(value, target),
                _ when target == typeof(double) || target == typeof(float) => value switch
                {
                    long or int or double or float => Convert.ChangeType(value, target, CultureInfo.InvariantCulture),
                    _ => throw Mismatch(value, target),
                },
                _ when target == typeof(decimal) => value switch
                {
                    long or int or double => Convert.ToDecimal(value, CultureInfo.InvariantCulture),
                    string text => decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
                    _ => throw Mismatch(value, target),
                },
                _ when target == typeof(Guid) && value is string text => Guid.Parse(text),
                _ when target == typeof(DateTimeOffset) && value is string text => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture),
                _ when target == typeof(DateTime) && value is string text => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                _ when target == typeof(TimeSpan) && value is long or double => TimeSpan.FromSeconds(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
                _ when target.IsPrimitive || target == typeof(Guid) || target == typeof(DateTime) || target == typeof(DateTimeOffset) => throw Mismatch(value, target),
                _ => ViaJson(value, target),
            };
        }
        catch (Exception e) when (e is FormatException or OverflowException or JsonException or NotSupportedException or ArgumentException)
        {
            throw new InvalidCastException(Describe(value, target) + $" ({e.Message})", e);
        }
    }

    /// <summary>Converts a task's return value to a JSON-like CLR value.</summary>
    public static object? ToJsonLike(object? value) => value switch
    {
        null or bool or string or long or double => value,
        int or short or byte or sbyte or ushort or uint => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        ulong big => big <= long.MaxValue ? (long)big : (double)big,
        float single => (double)single,
        decimal number => (double)number,
        Enum enumValue => enumValue.ToString(),
        Guid guid => guid.ToString(),
        DateTimeOffset moment => moment.ToString("O", CultureInfo.InvariantCulture),
        DateTime moment => moment.ToString("O", CultureInfo.InvariantCulture),
        TimeSpan span => span.TotalSeconds,
        JsonElement element => FromJson(element),
        JsonNode node => FromJson(JsonSerializer.SerializeToElement(node)),
        IDictionary dictionary => ToDictionary(dictionary),
        IEnumerable sequence when IsStringKeyedDictionary(value.GetType()) => FromJson(JsonSerializer.SerializeToElement(value, value.GetType(), JsonOptions)),
        IEnumerable sequence => sequence.Cast<object?>().Select(ToJsonLike).ToList(),
        _ => FromJson(JsonSerializer.SerializeToElement(value, value.GetType(), JsonOptions)),
    };

    /// <summary>Python's name of the type of a JSON-like value, for error messages.</summary>
    public static string PythonTypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        long or int or short or byte => "int",
        double or float or decimal => "float",
        string => "str",
        IDictionary or IReadOnlyDictionary<string, object?> => "dict",
        IEnumerable => "list",
        _ => value.GetType().Name,
    };

    /// <summary>Python's name for a parameter type, for error messages.</summary>
    public static string PythonTypeName(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            _ when type == typeof(string) => "str",
            _ when type == typeof(bool) => "bool",
            _ when IsInteger(type) => "int",
            _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "float",
            _ when IsStringKeyedDictionary(type) || typeof(IDictionary).IsAssignableFrom(type) => "dict",
            _ when typeof(IEnumerable).IsAssignableFrom(type) => "list",
            _ => type.Name,
        };
    }

    private static InvalidCastException Mismatch(object? value, Type target) => new(Describe(value, target));

    private static string Describe(object? value, Type target) =>
        $"must be {PythonTypeName(target)}, not {PythonTypeName(value)}";

    private static bool IsInteger(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte)
        || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(sbyte);

    private static object ToInteger(object value, Type target) => value switch
    {
        long or int => Convert.ChangeType(value, target, CultureInfo.InvariantCulture),
        double number when number == Math.Floor(number) && !double.IsInfinity(number) => Convert.ChangeType(number, target, CultureInfo.InvariantCulture),
        _ => throw Mismatch(value, target),
    };

    private static object ToEnum(object value, Type target)
    {
        switch (value)
        {
            case string name:
                var compact = name.Replace("_", string.Empty, StringComparison.Ordinal);
                if (Enum.TryParse(target, compact, ignoreCase: true, out var parsed) && Enum.IsDefined(target, parsed!))
                {
                    return parsed!;
                }

                throw new InvalidCastException($"'{name}' is not a valid {target.Name}");
            case long or int:
                var numeric = Enum.ToObject(target, value);
                return Enum.IsDefined(target, numeric) ? numeric : throw new InvalidCastException($"{value} is not a valid {target.Name}");
            default:
                throw Mismatch(value, target);
        }
    }

    private static object? ViaJson(object value, Type target)
    {
        var shape = PythonTypeName(value);
        var wanted = PythonTypeName(target);
        if ((shape == "list" || shape == "dict") && (wanted == "list" || wanted == "dict") && shape != wanted)
        {
            throw Mismatch(value, target);
        }

        var node = JsonSerializer.SerializeToNode(value, JsonOptions);
        return node.Deserialize(target, JsonOptions);
    }

    private static bool IsStringKeyedDictionary(Type type) =>
        type.GetInterfaces().Append(type).Any(i => i.IsGenericType
            && (i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>) || i.GetGenericTypeDefinition() == typeof(IDictionary<,>))
            && i.GetGenericArguments()[0] == typeof(string));

    private static Dictionary<string, object?> ToDictionary(IDictionary dictionary)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in dictionary)
        {
            result[Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty] = ToJsonLike(entry.Value);
        }

        return result;
    }

    private static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var whole) ? whole : (object)element.GetDouble(),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        _ => element.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value), StringComparer.Ordinal),
    };
}
