namespace Cadasta.WorkerToolbox.Results;

/// <summary>
/// The caller's view of one task's outcome, like Celery's <c>AsyncResult</c> on the database backend: reads the
/// task's row (written by a .NET or a Python worker) and waits for it by polling.
/// </summary>
public sealed class AsyncResult
{
    /// <summary>Celery's default polling interval for the database backend.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(0.5);

    private readonly IResultStore store;
    private readonly TimeProvider timeProvider;

    /// <summary>Creates the view of task <paramref name="taskId"/>.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="store">Where the results are.</param>
    /// <param name="timeProvider">Clock for timeouts and polling; the system clock when null.</param>
    public AsyncResult(string taskId, IResultStore store, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        ArgumentNullException.ThrowIfNull(store);
        TaskId = taskId;
        this.store = store;
        this.timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The task id.</summary>
    public string TaskId { get; }

    /// <summary>The task's current row; state PENDING when there is none yet.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<TaskResult> FetchAsync(CancellationToken cancellationToken = default) =>
        await store.ReadAsync(TaskId, cancellationToken).ConfigureAwait(false) ?? TaskResult.Pending(TaskId);

    /// <summary>The task's current state (<see cref="TaskStates"/>).</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<string> GetStateAsync(CancellationToken cancellationToken = default) =>
        (await FetchAsync(cancellationToken).ConfigureAwait(false)).State;

    /// <summary>True when the task finished (SUCCESS, FAILURE or REVOKED).</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken = default) =>
        TaskStates.IsReady(await GetStateAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>True when the task returned a value.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<bool> IsSuccessfulAsync(CancellationToken cancellationToken = default) =>
        await GetStateAsync(cancellationToken).ConfigureAwait(false) == TaskStates.Success;

    /// <summary>True when the task raised (FAILURE).</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<bool> IsFailedAsync(CancellationToken cancellationToken = default) =>
        await GetStateAsync(cancellationToken).ConfigureAwait(false) == TaskStates.Failure;

    /// <summary>
    /// Polls until the task is ready or <paramref name="timeout"/> has passed, and returns the last row read
    /// (not ready when the time ran out). Never throws for a failed task.
    /// </summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</param>
    /// <param name="pollInterval">Time between reads; <see cref="DefaultPollInterval"/> when null.</param>
    /// <param name="cancellationToken">Stops waiting (throws <see cref="OperationCanceledException"/>).</param>
    public async Task<TaskResult> WaitAsync(TimeSpan timeout, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        var interval = pollInterval ?? DefaultPollInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero, nameof(pollInterval));
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        }

        var started = timeProvider.GetTimestamp();
        while (true)
        {
            var result = await FetchAsync(cancellationToken).ConfigureAwait(false);
            if (result.IsReady)
            {
                return result;
            }

            var wait = interval;
            if (timeout != Timeout.InfiniteTimeSpan)
            {
                var remaining = timeout - timeProvider.GetElapsedTime(started);
                if (remaining <= TimeSpan.Zero)
                {
                    return result;
                }

                wait = remaining < interval ? remaining : interval;
            }

            await Task.Delay(wait, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits for the task and returns its value, like Celery's <c>AsyncResult.get(timeout)</c>: throws
    /// <see cref="TaskFailedException"/> when it failed or was revoked and <see cref="TimeoutException"/> when it is
    /// not ready in time.
    /// </summary>
    /// <param name="timeout">How long to wait; no limit when null.</param>
    /// <param name="pollInterval">Time between reads; <see cref="DefaultPollInterval"/> when null.</param>
    /// <param name="cancellationToken">Stops waiting (throws <see cref="OperationCanceledException"/>).</param>
    public async Task<object?> GetAsync(TimeSpan? timeout = null, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        var result = await WaitAsync(timeout ?? Timeout.InfiniteTimeSpan, pollInterval, cancellationToken).ConfigureAwait(false);
        if (!result.IsReady)
        {
            throw new TimeoutException($"Task {TaskId} is still {result.State} after {timeout}.");
        }

        return TaskStates.Propagates(result.State) ? throw new TaskFailedException(result) : result.Value;
    }
}
