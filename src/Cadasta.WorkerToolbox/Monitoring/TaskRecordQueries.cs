using Cadasta.WorkerToolbox.Results;

namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>
/// Reads the monitor's records with their states from Celery's result table: one task, the most recent
/// tasks, or a whole family with the platform's overall status and overall results. Results are read only
/// from the result database, through the result store's reader.
/// </summary>
public sealed class TaskRecordQueries
{
    private readonly ITaskRecordStore _store;
    private readonly Func<string, CancellationToken, Task<object?>> _readResult;

    /// <summary>Creates the queries over <paramref name="store"/>, reading results through <paramref name="results"/>.</summary>
    /// <param name="store">The monitor's records.</param>
    /// <param name="results">The result store of the same database (its reader unpickles the results).</param>
    public TaskRecordQueries(ITaskRecordStore store, IResultStore results)
        : this(store, ReadResultWith(results))
    {
    }

    internal TaskRecordQueries(ITaskRecordStore store, Func<string, CancellationToken, Task<object?>> readResult)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(readResult);
        _store = store;
        _readResult = readResult;
    }

    /// <summary>One recorded task with its state; null when the id was never recorded.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public Task<TrackedTask?> GetTaskAsync(string taskId, CancellationToken cancellationToken = default) =>
        _store.FindAsync(taskId, cancellationToken);

    /// <summary>The <paramref name="limit"/> most recently recorded tasks with their states, oldest first.</summary>
    /// <param name="limit">How many tasks at most.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public Task<IReadOnlyList<TrackedTask>> ListRecentAsync(int limit, CancellationToken cancellationToken = default) =>
        _store.ListRecentAsync(limit, cancellationToken);

    /// <summary>
    /// The stored result of a task: its return value for SUCCESS, Celery's exception dict
    /// (<c>exc_type</c>, <c>exc_message</c>, <c>exc_module</c>) for an exception state, null without a result.
    /// </summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public Task<object?> GetResultAsync(string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        return _readResult(taskId, cancellationToken);
    }

    /// <summary>
    /// Every recorded task with the root id <paramref name="rootId"/>, the family's overall status and its
    /// overall results (the results of the tasks whose option <c>is_result</c> is true).
    /// </summary>
    /// <param name="rootId">The family's root id (the id of its first task).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<TaskFamily> GetFamilyAsync(string rootId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        var tasks = await _store.FindFamilyAsync(rootId, cancellationToken).ConfigureAwait(false);
        var results = new List<object?>();
        foreach (var task in tasks.Where(task => task.Record.IsResult))
        {
            results.Add(await _readResult(task.Record.TaskId, cancellationToken).ConfigureAwait(false));
        }

        return new TaskFamily(rootId, tasks, results);
    }

    private static Func<string, CancellationToken, Task<object?>> ReadResultWith(IResultStore results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return async (taskId, cancellationToken) =>
        {
            var row = await results.ReadAsync(taskId, cancellationToken).ConfigureAwait(false);
            return PlatformValue(row);
        };
    }

    /// <summary>What the platform's unpickling of a result row gives: the value, or Celery's exception dict for an exception state.</summary>
    internal static object? PlatformValue(TaskResult? row) =>
        row?.Error is { } error
            ? new Dictionary<string, object?>
            {
                ["exc_type"] = error.ExceptionType,
                ["exc_message"] = error.Arguments,
                ["exc_module"] = error.ExceptionModule,
            }
            : row?.Value;
}
