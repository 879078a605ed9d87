namespace Cadasta.WorkerToolbox.Results;

/// <summary>Where task states and results live: Celery's result table, readable by Python Celery.</summary>
public interface IResultStore : IAsyncDisposable
{
    /// <summary>
    /// Stores the row for <see cref="TaskResult.TaskId"/> (one row per task id, the later write wins).
    /// Completes only after the write has committed; throws (and never completes successfully) when the
    /// write was cancelled or could not be made.
    /// </summary>
    /// <param name="result">The state and outcome to store.</param>
    /// <param name="cancellationToken">Stops waiting; the row may or may not be written then.</param>
    Task StoreAsync(TaskResult result, CancellationToken cancellationToken = default);

    /// <summary>Reads the row of a task; null when there is none (Celery reports that as PENDING).</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    Task<TaskResult?> ReadAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>Creates Celery's tables and sequences when they are missing (done on first use anyway).</summary>
    /// <param name="cancellationToken">Cancels the work.</param>
    Task EnsureSchemaAsync(CancellationToken cancellationToken = default);
}
