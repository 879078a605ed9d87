namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// What the worker needs from the result store: write a state (completes only after the
/// write is committed) and read one back (for <c>celery.chord_unlock</c>).
/// </summary>
internal interface IResultBackend
{
    /// <summary>Stores a state with its value (SUCCESS, STARTED) or its exception (FAILURE, RETRY, REVOKED).</summary>
    Task StoreAsync(string taskId, string state, object? value, ExceptionInfo? error, CancellationToken cancellationToken);

    /// <summary>
    /// True when writes of one task id commit in the order <see cref="StoreAsync"/> was called, even when the
    /// earlier one has not completed yet (<see cref="Results.DatabaseResultStore"/>). The worker then queues a
    /// task's outcome right behind its STARTED write instead of waiting for STARTED to commit.
    /// </summary>
    bool KeepsWriteOrder => false;

    /// <summary>The stored state, value and exception; state <c>PENDING</c> when nothing is stored.</summary>
    Task<StoredState> GetAsync(string taskId, CancellationToken cancellationToken);
}

/// <summary>A stored state as the worker reads it back.</summary>
internal sealed record StoredState(string State, object? Value, ExceptionInfo? Error);
