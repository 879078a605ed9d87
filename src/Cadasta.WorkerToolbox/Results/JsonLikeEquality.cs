using System.Collections;

namespace Cadasta.WorkerToolbox.Results;

/// <summary>Structural equality of JSON-like values (lists and dictionaries compared by content).</summary>
internal static class JsonLikeEquality
{
    public static bool ListEquals(IReadOnlyList<object?> left, IReadOnlyList<object?> right)
    {
        if (left.Count != right.Count)
        {
            return false;
        }

        for (var index = 0; index < left.Count; index++)
        {
            if (!ValueEquals(left[index], right[index]))
            {
                return false;
            }
        }

        return true;
    }

    public static bool ValueEquals(object? left, object? right)
    {
        if (left is null || right is null)
        {
            return left is null && right is null;
        }

        if (left is IDictionary leftMap && right is IDictionary rightMap)
        {
            if (leftMap.Count != rightMap.Count)
            {
                return false;
            }

            foreach (DictionaryEntry entry in leftMap)
            {
                if (!rightMap.Contains(entry.Key) || !ValueEquals(entry.Value, rightMap[entry.Key]))
                {
                    return false;
                }
            }

            return true;
        }

        if (left is not string && right is not string && left is IEnumerable leftItems && right is IEnumerable rightItems)
        {
            return ListEquals([.. leftItems.Cast<object?>()], [.. rightItems.Cast<object?>()]);
        }

        return left.Equals(right);
    }
}
