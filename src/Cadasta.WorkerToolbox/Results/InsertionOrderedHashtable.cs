using System.Collections;

namespace Cadasta.WorkerToolbox.Results;

/// <summary>
/// A Python dict as Razorvine.Pickle fills it (it casts every dict to <see cref="Hashtable"/> and
/// sets items through the indexer), that also remembers the order keys were first set in: Python
/// dicts keep insertion order, and the pickler writes their items in that order. Enumerating it, its
/// <see cref="Keys"/> and <see cref="Values"/> follow that order.
/// </summary>
[Serializable]
#pragma warning disable CA2229, CA1010 // never serialized; Hashtable's own non-generic surface is the point
internal sealed class InsertionOrderedHashtable : Hashtable, IEnumerable
#pragma warning restore CA2229, CA1010
{
    private readonly List<object> _order;

    public InsertionOrderedHashtable(int capacity = 0)
        : base(capacity)
    {
        _order = new List<object>(capacity);
    }

    public override object? this[object key]
    {
        get => base[key];
        set
        {
            if (key is ItemBatch batch)
            {
                SetItems(batch.Items);
                return;
            }

            // Setting a key again keeps its first position, as in Python.
            if (!ContainsKey(key))
            {
                _order.Add(key);
            }

            base[key] = value;
        }
    }

    public override ICollection Keys => _order.ToArray();

    /// <summary>A dict holding <paramref name="items"/> (key, value, key, value...), in that order.</summary>
    public static InsertionOrderedHashtable FromItems(ArrayList items)
    {
        var dict = new InsertionOrderedHashtable(items.Count / 2);
        dict.SetItems(items);
        return dict;
    }

    public override ICollection Values => _order.Select(key => base[key]).ToArray();

    public override void Add(object key, object? value)
    {
        base.Add(key, value);
        _order.Add(key);
    }

    public override void Remove(object key)
    {
        if (ContainsKey(key))
        {
            base.Remove(key);
            _order.RemoveAt(_order.FindIndex(known => KeyEquals(known, key)));
        }
    }

    public override void Clear()
    {
        base.Clear();
        _order.Clear();
    }

    public override IDictionaryEnumerator GetEnumerator() => new OrderedEnumerator(this);

    // Hashtable implements IEnumerable.GetEnumerator explicitly, in hash order: re-implemented here.
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override void CopyTo(Array array, int arrayIndex)
    {
        ArgumentNullException.ThrowIfNull(array);
        foreach (var key in _order)
        {
            array.SetValue(new DictionaryEntry(key, base[key]), arrayIndex++);
        }
    }

    public override object Clone()
    {
        var copy = new InsertionOrderedHashtable(Count);
        foreach (var key in _order)
        {
            copy[key] = base[key];
        }

        return copy;
    }

    private void SetItems(ArrayList items)
    {
        if (items.Count % 2 != 0)
        {
            throw new Razorvine.Pickle.PickleException("A dict's items in the pickle are not key-value pairs.");
        }

        for (var index = 0; index < items.Count; index += 2)
        {
            this[items[index] ?? throw new Razorvine.Pickle.PickleException("A dict key in the pickle is None.")] = items[index + 1];
        }
    }

    /// <summary>Items (key, value, key, value...) to set in order, set as one key by the rewritten <c>SETITEMS</c>.</summary>
    /// <param name="Items">The keys and values, alternating.</param>
    internal sealed record ItemBatch(ArrayList Items);

    private sealed class OrderedEnumerator(InsertionOrderedHashtable table) : IDictionaryEnumerator
    {
        private int _index = -1;

        public DictionaryEntry Entry => _index >= 0 && _index < table._order.Count
            ? new DictionaryEntry(table._order[_index], table[table._order[_index]])
            : throw new InvalidOperationException("The enumerator is not on an item.");

        public object Key => Entry.Key;

        public object? Value => Entry.Value;

        public object Current => Entry;

        public bool MoveNext() => ++_index < table._order.Count;

        public void Reset() => _index = -1;
    }
}
