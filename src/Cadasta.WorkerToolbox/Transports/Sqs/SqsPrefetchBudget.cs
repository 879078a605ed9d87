namespace Cadasta.WorkerToolbox.Transports.Sqs;

/// <summary>
/// The consumer's prefetch limit as credits: a poller reserves credits before it asks SQS for
/// that many messages and gives back what it did not receive; a settled delivery gives its credit
/// back. So the unsettled deliveries never exceed the limit (0: no limit).
/// </summary>
internal sealed class SqsPrefetchBudget(int limit)
{
    private readonly Lock _lock = new();
    private int _limit = limit;
    private int _used;
    private TaskCompletionSource _changed = NewSignal();

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
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                var available = _limit == 0 ? most : Math.Min(most, _limit - _used);
                if (available > 0)
                {
                    _used += available;
                    return available;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
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
            Signal();
        }
    }

    public void SetLimit(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        lock (_lock)
        {
            _limit = limit;
            Signal();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Signal()
    {
        var previous = _changed;
        _changed = NewSignal();
        previous.TrySetResult();
    }
}
