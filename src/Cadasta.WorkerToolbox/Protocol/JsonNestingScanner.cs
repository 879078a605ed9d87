namespace Cadasta.WorkerToolbox.Protocol;

/// <summary>
/// Measures how deeply a JSON text nests arrays and objects without parsing it: one pass over the
/// bytes, no allocation, no recursion. The worker runs it before decoding, so a body nested
/// 100,000 levels deep is refused at its first excess bracket instead of being built into a tree
/// (or overflowing a recursive parser's stack). Brackets inside strings do not count. Malformed
/// JSON is not this scanner's business: the decoder reports it.
/// </summary>
internal static class JsonNestingScanner
{
    /// <summary>The byte offset of the first bracket that opens level <paramref name="maxDepth"/> + 1, or -1 when none does.</summary>
    /// <param name="utf8">The JSON text (UTF-8 or any ASCII-compatible encoding).</param>
    /// <param name="maxDepth">The deepest nesting allowed (a top-level array is depth 1).</param>
    public static int FindExcess(ReadOnlySpan<byte> utf8, int maxDepth)
    {
        var depth = 0;
        var inString = false;
        var escaped = false;
        for (var i = 0; i < utf8.Length; i++)
        {
            var b = utf8[i];
            if (inString)
            {
                if (escaped)
                {
                    escaped = false;
                }
                else if (b == (byte)'\\')
                {
                    escaped = true;
                }
                else if (b == (byte)'"')
                {
                    inString = false;
                }

                continue;
            }

            switch (b)
            {
                case (byte)'"':
                    inString = true;
                    break;
                case (byte)'[' or (byte)'{':
                    if (++depth > maxDepth)
                    {
                        return i;
                    }

                    break;
                case (byte)']' or (byte)'}':
                    depth--;
                    break;
            }
        }

        return -1;
    }
}
