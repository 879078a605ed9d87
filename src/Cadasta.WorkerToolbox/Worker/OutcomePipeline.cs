namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// Lets a runner slot go back to work as soon as its task's body has finished, while that task's
/// outcome (result writes, follow-ups, late ack) completes in the background.
/// <para>
/// <see cref="WorkerOptions.Concurrency"/> runners bound the task bodies running at once. Without
/// this, a slot would also wait for the STARTED and SUCCESS commits and the ack, so at a small
/// concurrency the result store never gets more than a couple of rows to batch. With it, the store
/// sees every finished task at once and writes them in few transactions.
/// </para>
/// <para>
/// Bounded: a runner takes a task only when fewer than <c>Concurrency + PendingOutcomeLimit</c>
/// tasks are running or finishing, so memory and unacknowledged messages stay bounded even when the
/// database is slow or down (the broker's prefetch limit still bounds what the broker hands over).
/// </para>
/// </summary>
internal sealed class OutcomePipeline : IDisposable
{
    private readonly SemaphoreSlim _room;
    private readonly Lock _gate = new();
    private int _inFlight;
    private TaskCompletionSource? _drained;

    public OutcomePipeline(int concurrency, int pendingOutcomeLimit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(pendingOutcomeLimit);
        Capacity = concurrency + pendingOutcomeLimit;
        _room = new SemaphoreSlim(Capacity, Capacity);
    }

    /// <summary>How many tasks may be running or finishing at once.</summary>
    public int Capacity { get; }

    /// <summary>Tasks started and not finished yet (body running, or outcome pending).</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _inFlight;
            }
        }
    }

    /// <summary>Waits until one more task may start; pair with <see cref="StartAsync"/> or <see cref="GiveBackRoom"/>.</summary>
    public Task WaitForRoomAsync(CancellationToken cancellationToken) => _room.WaitAsync(cancellationToken);

    /// <summary>Returns room taken by <see cref="WaitForRoomAsync"/> that no task used.</summary>
    public void GiveBackRoom() => _room.Release();

    /// <summary>
    /// Starts a task (room already taken). The returned task completes once its body has finished (or its
    /// execution ended before that); the execution goes on in the background and then calls
    /// <paramref name="finished"/> (with its exception, if it threw) and frees its room.
    /// </summary>
    /// <param name="job">The task.</param>
    /// <param name="execute">Runs the task; completes the given source when the body is done.</param>
    /// <param name="finished">Called once when the execution ended.</param>
    public Task StartAsync(WorkerJob job, Func<WorkerJob, TaskCompletionSource, Task> execute, Action<WorkerJob, Exception?> finished)
    {
        lock (_gate)
        {
            _inFlight++;
        }

        var bodyDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = ExecuteAsync(job, bodyDone, execute, finished);
        return bodyDone.Task;
    }

    /// <summary>Completes when every started task has finished (call once no more tasks start).</summary>
    public Task DrainAsync()
    {
        lock (_gate)
        {
            if (_inFlight == 0)
            {
                return Task.CompletedTask;
            }

            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task;
        }
    }

    public void Dispose() => _room.Dispose();

    private async Task ExecuteAsync(WorkerJob job, TaskCompletionSource bodyDone, Func<WorkerJob, TaskCompletionSource, Task> execute, Action<WorkerJob, Exception?> finished)
    {
        Exception? failure = null;
        try
        {
            await execute(job, bodyDone).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Handed to the caller's callback: one task's error must not stop the worker.
        catch (Exception error)
#pragma warning restore CA1031
        {
            failure = error;
        }
        finally
        {
            bodyDone.TrySetResult();
            Finish(job, failure, finished);
        }
    }

    private void Finish(WorkerJob job, Exception? failure, Action<WorkerJob, Exception?> finished)
    {
        try
        {
            finished(job, failure);
        }
        finally
        {
            TaskCompletionSource? drained = null;
            lock (_gate)
            {
                if (--_inFlight == 0)
                {
                    drained = _drained;
                    _drained = null;
                }
            }

            try
            {
                _room.Release();
            }
            catch (ObjectDisposedException)
            {
                // The worker was disposed while an abandoned task was still finishing.
            }

            drained?.TrySetResult();
        }
    }
}
