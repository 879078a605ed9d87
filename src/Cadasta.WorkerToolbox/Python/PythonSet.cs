using System.Collections;

namespace Cadasta.WorkerToolbox.Python;

/// <summary>
/// A Python set read from a literal (<c>{'a', 'b'}</c> or <c>set()</c>): its distinct items in
/// the order written, exposed as an <see cref="IReadOnlyList{T}"/>; the separate type only lets
/// the printable form write it back with braces.
/// </summary>
internal sealed class PythonSet(IEnumerable<object?> items) : IReadOnlyList<object?>
{
    private readonly object?[] _items = [.. items];

    public object? this[int index] => _items[index];

    public int Count => _items.Length;

    public IEnumerator<object?> GetEnumerator() => ((IEnumerable<object?>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
