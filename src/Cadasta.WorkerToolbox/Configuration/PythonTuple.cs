using System.Collections;

namespace Cadasta.WorkerToolbox.Configuration;

/// <summary>
/// A Python tuple read from a literal or given in code as a CLR array. It is an
/// <see cref="IReadOnlyList{T}"/> like a list, so code treats both alike; the separate type only
/// lets the printable form write <c>('msg', 'export')</c> as the original does.
/// </summary>
internal sealed class PythonTuple(IEnumerable<object?> items) : IReadOnlyList<object?>
{
    private readonly object?[] _items = [.. items];

    public object? this[int index] => _items[index];

    public int Count => _items.Length;

    public IEnumerator<object?> GetEnumerator() => ((IEnumerable<object?>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
