namespace Cadasta.WorkerToolbox.Python;

/// <summary>
/// Python's view of a <c>str</c>: a sequence of code points, so a surrogate pair counts once in
/// <c>len</c> and is never cut in two by a slice.
/// </summary>
internal static class PythonStr
{
    /// <summary><c>len(text)</c>.</summary>
    public static int Length(string text)
    {
        var length = 0;
        for (var i = 0; i < text.Length; i += CodePointWidth(text, i))
        {
            length++;
        }

        return length;
    }

    /// <summary><c>text[:count]</c>.</summary>
    public static string Prefix(string text, int count)
    {
        var i = 0;
        for (var taken = 0; taken < count && i < text.Length; taken++)
        {
            i += CodePointWidth(text, i);
        }

        return text[..i];
    }

    // UTF-16 units of the code point at index: 2 for a surrogate pair, else 1 (a lone surrogate is a code point in Python).
    private static int CodePointWidth(string text, int index) =>
        char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]) ? 2 : 1;
}
