namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// Items held until their ETA, released in ETA order (ties in arrival order). Pure bookkeeping:
/// the worker owns the timer and asks for what is due.
/// </summary>
/// <typeparam name="T">The held item.</typeparam>
internal sealed class EtaSchedule<T>
{
    private readonly PriorityQueue<T, (DateTimeOffset Eta, long Sequence)> _queue = new();
    private long _sequence;

    public int Count => _queue.Count;

    /// <summary>The earliest ETA held, or null.</summary>
    public DateTimeOffset? NextDue => _queue.TryPeek(out _, out var priority) ? priority.Eta : null;

    /// <summary>Holds <paramref name="item"/>; returns true when it is now the earliest.</summary>
    public bool Add(T item, DateTimeOffset eta)
    {
        var earliest = NextDue is not { } next || eta < next;
        _queue.Enqueue(item, (eta, _sequence++));
        return earliest;
    }

    /// <summary>Removes and returns every item due at <paramref name="now"/>, earliest first.</summary>
    public List<T> TakeDue(DateTimeOffset now)
    {
        var due = new List<T>();
        while (_queue.TryPeek(out var item, out var priority) && priority.Eta <= now)
        {
            _queue.Dequeue();
            due.Add(item);
        }

        return due;
    }

    /// <summary>Removes and returns everything held.</summary>
    public List<T> TakeAll()
    {
        var all = new List<T>(_queue.Count);
        while (_queue.TryDequeue(out var item, out _))
        {
            all.Add(item);
        }

        return all;
    }
}
