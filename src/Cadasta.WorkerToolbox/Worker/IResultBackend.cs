namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// What the worker needs from the result store: write a state (completes only after the
/// write is committed) and read one back (for <c>celery.chord_unlock</c>).
/// </summary>
internal interface IResultBackend
{
    Task StoreAsync(string taskId, string state, object? result, string? traceback, CancellationToken cancellationToken);

    /// <summary>The stored state and result, or (<c>PENDING</c>, null) when nothing is stored.</summary>
    Task<(string State, object? Result)> GetAsync(string taskId, CancellationToken cancellationToken);
}
