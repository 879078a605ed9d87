namespace Cadasta.WorkerToolbox.Transports.Sqs;

/// <summary>
/// The consumer's prefetch limit as credits: a poller reserves credits before it asks SQS for
/// that many messages and gives back what it did not receive; a settled delivery gives its credit
/// back. So the unsettled deliveries never exceed the limit (0: no limit). Waiters are served in
/// arrival order, so a poller of an empty queue that returns and asks again at once cannot starve
/// the poller of a busy queue.
/// </summary>
internal sealed class SqsPrefetchBudget(int limit)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private int _limit = limit;
    private int _used;

    public int Limit
    {
        get
        {
            lock (_lock)
            {
                return _limit;
            }
        }
    }

    /// <summary>Waits for at least one credit and reserves up to <paramref name="most"/>.</summary>
    public async Task<int> ReserveAsync(int most, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(most, 1);
        Waiter waiter;
        LinkedListNode<Waiter> node;
        lock (_lock)
        {
            if (_waiters.Count == 0 && Available(most) is var available and > 0)
            {
                _used += available;
                return available;
            }

            waiter = new Waiter(most);
            node = _waiters.AddLast(waiter);
        }

        await using (cancellationToken.Register(() =>
        {
            lock (_lock)
            {
                if (node.List is not null)
                {
                    _waiters.Remove(node);
                    waiter.Granted.TrySetCanceled(cancellationToken);
                }
            }
        }).ConfigureAwait(false))
        {
            return await waiter.Granted.Task.ConfigureAwait(false);
        }
    }

    public void Release(int credits)
    {
        if (credits <= 0)
        {
            return;
        }

        lock (_lock)
        {
            _used -= credits;
            GrantWaiters();
        }
    }

    public void SetLimit(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        lock (_lock)
        {
            _limit = limit;
            GrantWaiters();
        }
    }

    private int Available(int most) => _limit == 0 ? most : Math.Min(most, _limit - _used);

    private void GrantWaiters()
    {
        while (_waiters.First is { } first && Available(first.Value.Most) is var available and > 0)
        {
            _waiters.RemoveFirst();
            _used += available;
            first.Value.Granted.TrySetResult(available);
        }
    }

    private sealed class Waiter(int most)
    {
        public int Most { get; } = most;

        public TaskCompletionSource<int> Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
