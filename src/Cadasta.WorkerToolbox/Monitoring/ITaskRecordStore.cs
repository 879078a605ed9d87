namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>
/// Where the task monitor keeps its records: a table of the result database, next to Celery's
/// <c>celery_taskmeta</c>, whose states the queries join in.
/// </summary>
public interface ITaskRecordStore : IAsyncDisposable
{
    /// <summary>Creates the record table and its indexes when they are missing.</summary>
    /// <param name="cancellationToken">Cancels the work.</param>
    Task EnsureSchemaAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts the records whose task id is not recorded yet, in one round trip, and leaves existing ones
    /// untouched (safe when several monitors insert the same id at once). Completes after the insert
    /// committed; throws when it could not be made.
    /// </summary>
    /// <param name="records">The records; several may share a task id (the first one counts).</param>
    /// <param name="cancellationToken">Stops waiting; the records may or may not be committed then.</param>
    /// <returns>The task ids that were newly recorded.</returns>
    Task<IReadOnlySet<string>> AddIfAbsentAsync(IReadOnlyList<TaskRecord> records, CancellationToken cancellationToken = default);

    /// <summary>Reads one recorded task with its state; null when the id was never recorded.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    Task<TrackedTask?> FindAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>Reads every recorded task with the root id <paramref name="rootId"/>, oldest first.</summary>
    /// <param name="rootId">The family's root id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    Task<IReadOnlyList<TrackedTask>> FindFamilyAsync(string rootId, CancellationToken cancellationToken = default);

    /// <summary>Reads the <paramref name="limit"/> most recently recorded tasks, oldest first.</summary>
    /// <param name="limit">How many tasks at most.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    Task<IReadOnlyList<TrackedTask>> ListRecentAsync(int limit, CancellationToken cancellationToken = default);
}
