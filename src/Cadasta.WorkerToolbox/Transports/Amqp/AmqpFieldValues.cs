using System.Collections;
using System.Globalization;
using System.Text;
using RabbitMQ.Client;

namespace Cadasta.WorkerToolbox.Transports.Amqp;

/// <summary>
/// Converts between the library's JSON-like values (null, bool, long, double, string, lists,
/// string-keyed dictionaries) and AMQP field values as RabbitMQ.Client writes and reads them.
/// Outgoing: strings become long strings (UTF-8), integers 64-bit signed, floating point doubles,
/// lists field arrays, dictionaries nested tables, null void. Incoming: RabbitMQ.Client hands
/// every string back as <c>byte[]</c>, which becomes a UTF-8 string again; every integer width
/// becomes long; float and decimal become double; a timestamp becomes its Unix seconds.
/// </summary>
internal static class AmqpFieldValues
{
    /// <summary>Converts a JSON-like value to a value RabbitMQ.Client can write in a table.</summary>
    /// <param name="value">The value.</param>
    /// <param name="path">Where the value sits (for the error message), e.g. <c>headers.timelimit[0]</c>.</param>
    /// <exception cref="ArgumentException">The value is not JSON-like.</exception>
    public static object? ToAmqp(object? value, string path) => value switch
    {
        null => null,
        string text => text,
        bool flag => flag,
        _ when AsLongOrDouble(value) is { } number => number,
        IReadOnlyDictionary<string, object?> table => ToAmqpTable(table, path),
        IDictionary<string, object?> table => ToAmqpTable(table, path),
        IEnumerable list and not byte[] => ToAmqpArray(list, path),
        _ => throw new ArgumentException(
            $"'{path}' holds a {value.GetType().Name}, which is not a JSON-like value (null, bool, long, double, string, list, dictionary).",
            nameof(value)),
    };

    /// <summary>Converts a table of JSON-like values to an AMQP table.</summary>
    /// <param name="table">The values by name.</param>
    /// <param name="path">Where the table sits, for error messages.</param>
    public static Dictionary<string, object?> ToAmqpTable(IEnumerable<KeyValuePair<string, object?>> table, string path)
    {
        ArgumentNullException.ThrowIfNull(table);
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in table)
        {
            result[key] = ToAmqp(value, $"{path}.{key}");
        }

        return result;
    }

    /// <summary>Converts a value read by RabbitMQ.Client back to a JSON-like value.</summary>
    /// <param name="value">The field value.</param>
    public static object? FromAmqp(object? value) => value switch
    {
        null => null,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string text => text,
        bool flag => flag,
        _ when AsLongOrDouble(value) is { } number => number,
        ulong number => (double)number, // beyond long: JSON-like numbers that large are doubles
        AmqpTimestamp timestamp => timestamp.UnixTime,
        IDictionary<string, object?> table => FromAmqpTable(table),
        IList list => FromAmqpArray(list),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    /// <summary>Converts an AMQP table read by RabbitMQ.Client to a dictionary of JSON-like values.</summary>
    /// <param name="table">The table (null: empty).</param>
    public static Dictionary<string, object?> FromAmqpTable(IEnumerable<KeyValuePair<string, object?>>? table)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (table is not null)
        {
            foreach (var (key, value) in table)
            {
                result[key] = FromAmqp(value);
            }
        }

        return result;
    }

    // JSON-like numbers are long and double: every integer width that fits widens to long, every
    // floating point or decimal to double. Null for anything else (and a ulong beyond long).
    private static object? AsLongOrDouble(object value) => value switch
    {
        long number => number,
        int number => (long)number,
        short number => (long)number,
        sbyte number => (long)number,
        byte number => (long)number,
        ushort number => (long)number,
        uint number => (long)number,
        ulong number when number <= long.MaxValue => (long)number,
        double number => number,
        float number => (double)number,
        decimal number => (double)number,
        _ => null,
    };

    private static List<object?> ToAmqpArray(IEnumerable list, string path)
    {
        var result = new List<object?>();
        foreach (var item in list)
        {
            result.Add(ToAmqp(item, string.Create(CultureInfo.InvariantCulture, $"{path}[{result.Count}]")));
        }

        return result;
    }

    private static List<object?> FromAmqpArray(IList list)
    {
        var result = new List<object?>(list.Count);
        foreach (var item in list)
        {
            result.Add(FromAmqp(item));
        }

        return result;
    }
}
