using System.Numerics;
using Cadasta.WorkerToolbox.Python;

namespace Cadasta.WorkerToolbox.Configuration;

/// <summary>Python's <c>==</c> between literal values (<c>1 == 1.0 == True</c>), used to keep set items distinct.</summary>
internal static class PythonValues
{
    public static bool AreEqual(object? left, object? right)
    {
        if (left is null || right is null)
        {
            return left is null && right is null;
        }

        if (AsComplex(left) is { } l && AsComplex(right) is { } r)
        {
            return l == r;
        }

        return (left, right) switch
        {
            (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
            (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
            (PythonTuple a, PythonTuple b) => a.Count == b.Count && a.Zip(b).All(pair => AreEqual(pair.First, pair.Second)),
            _ => false,
        };
    }

    private static Complex? AsComplex(object value) => value switch
    {
        bool b => b ? Complex.One : Complex.Zero,
        long l => l,
        BigInteger b => (Complex)b,
        double d => d,
        Complex c => c,
        _ => null,
    };
}
