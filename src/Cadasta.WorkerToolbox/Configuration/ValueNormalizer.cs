using System.Collections.ObjectModel;
using System.Collections;
using System.Numerics;
using Cadasta.WorkerToolbox.Python;
using Cadasta.WorkerToolbox.Routing;

namespace Cadasta.WorkerToolbox.Configuration;

/// <summary>
/// Turns a value given in code into the plain CLR values Config stores, and freezes it so the
/// Config stays immutable: integers become long (BigInteger beyond 64 bits), floats double,
/// <see cref="TimeSpan"/> seconds as double, arrays tuples, sets <see cref="PythonSet"/>, other
/// sequences read-only lists, dictionaries read-only dictionaries with string keys. Queue
/// declarations and routers are kept as they are.
/// </summary>
internal static class ValueNormalizer
{
    /// <exception cref="ArgumentException">A dictionary has a key that is not a string.</exception>
    public static object? Normalize(object? value) => value switch
    {
        null or bool or string or long or double or Complex or QueueDeclaration or ITaskRouter => value,
        byte[] bytes => bytes.ToArray(),
        int or short or sbyte or byte or ushort or uint => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
        ulong u => PythonLiteralParser.Narrow(u),
        BigInteger big => PythonLiteralParser.Narrow(big),
        float f => (double)f,
        decimal d => (double)d,
        char c => c.ToString(),
        TimeSpan span => span.TotalSeconds,
        PythonTuple tuple => new PythonTuple(tuple.Select(Normalize)),
        PythonSet set => new PythonSet(set.Select(Normalize)),
        IEnumerable<QueueDeclaration> queues => new ReadOnlyCollection<QueueDeclaration>([.. queues]),
        IEnumerable<ITaskRouter> routers => new ReadOnlyCollection<ITaskRouter>([.. routers]),
        IDictionary dictionary => NormalizeDictionary(dictionary),
        Array array => new PythonTuple(array.Cast<object?>().Select(Normalize)),
        IEnumerable sequence when IsSet(sequence) => new PythonSet(sequence.Cast<object?>().Select(Normalize)),
        IEnumerable sequence => new ReadOnlyCollection<object?>([.. sequence.Cast<object?>().Select(Normalize)]),
        _ => value,
    };

    private static ReadOnlyDictionary<string, object?> NormalizeDictionary(IDictionary dictionary)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in dictionary)
        {
            if (entry.Key is not string key)
            {
                throw new ArgumentException($"dictionary keys must be strings, not {PythonRepr.TypeName(entry.Key)}");
            }

            copy[key] = Normalize(entry.Value);
        }

        return new ReadOnlyDictionary<string, object?>(copy);
    }

    private static bool IsSet(IEnumerable sequence) => sequence.GetType().GetInterfaces()
        .Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ISet<>));
}
