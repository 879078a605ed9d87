using System.Globalization;
using Xunit;
using Xunit.Sdk;

namespace Cadasta.WorkerToolbox.TestSupport.Transports;

/// <summary>Structural equality of JSON-like values (null, bool, long, double, string, lists, string-keyed maps), types included.</summary>
public static class JsonLikeAssert
{
    /// <summary>Asserts two JSON-like values are equal, with the same CLR kinds (a long is not a double).</summary>
    /// <param name="expected">The expected value.</param>
    /// <param name="actual">The actual value.</param>
    /// <param name="path">Where in the enclosing value this one sits, for the failure message.</param>
    public static void Equal(object? expected, object? actual, string path = "$")
    {
        switch (expected)
        {
            case null:
                if (actual is not null)
                {
                    throw Fail(path, "null", actual);
                }

                break;
            case IReadOnlyDictionary<string, object?> expectedMap:
                if (actual is not IReadOnlyDictionary<string, object?> actualMap)
                {
                    throw Fail(path, "a map", actual);
                }

                var missing = expectedMap.Keys.Except(actualMap.Keys, StringComparer.Ordinal).ToArray();
                var extra = actualMap.Keys.Except(expectedMap.Keys, StringComparer.Ordinal).ToArray();
                if (missing.Length > 0 || extra.Length > 0)
                {
                    throw new XunitException($"At {path}: keys differ; missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", extra)}].");
                }

                foreach (var (key, value) in expectedMap)
                {
                    Equal(value, actualMap[key], $"{path}.{key}");
                }

                break;
            case IReadOnlyList<object?> expectedList:
                if (actual is not IReadOnlyList<object?> actualList)
                {
                    throw Fail(path, "a list", actual);
                }

                Assert.True(expectedList.Count == actualList.Count, $"At {path}: expected {expectedList.Count} items, found {actualList.Count}.");
                for (var i = 0; i < expectedList.Count; i++)
                {
                    Equal(expectedList[i], actualList[i], $"{path}[{i}]");
                }

                break;
            default:
                if (actual is null || actual.GetType() != expected.GetType() || !expected.Equals(actual))
                {
                    throw Fail(path, Describe(expected), actual);
                }

                break;
        }
    }

    private static XunitException Fail(string path, string expected, object? actual) =>
        new($"At {path}: expected {expected}, found {Describe(actual)}.");

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string text => $"string \"{text}\"",
        IFormattable formattable => $"{value.GetType().Name} {formattable.ToString(null, CultureInfo.InvariantCulture)}",
        _ => $"{value.GetType().Name} {value}",
    };
}
