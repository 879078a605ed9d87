using System.Collections;

namespace Cadasta.WorkerToolbox.Python;

/// <summary>
/// A Python tuple: read from a configuration literal, given in code as a CLR array, or built
/// inside a message value (the <c>[[id, null], null]</c> entries of <c>celery.chord_unlock</c>).
/// It is an <see cref="IReadOnlyList{T}"/> like a list, so code treats both alike, and JSON writes
/// it as an array (as kombu does); the separate type only lets <c>repr</c> and <c>saferepr</c>
/// print it with parentheses, <c>('msg', 'export')</c>, as Python does.
/// </summary>
internal sealed class PythonTuple(IEnumerable<object?> items) : IReadOnlyList<object?>
{
    private readonly object?[] _items = [.. items];

    public IReadOnlyList<object?> Items => _items;

    public object? this[int index] => _items[index];

    public int Count => _items.Length;

    public IEnumerator<object?> GetEnumerator() => ((IEnumerable<object?>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
