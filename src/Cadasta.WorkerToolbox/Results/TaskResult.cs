namespace Cadasta.WorkerToolbox.Results;

/// <summary>
/// One row of Celery's <c>celery_taskmeta</c> table: the state of a task and its outcome. Build one with the
/// factory methods (<see cref="Success"/>, <see cref="Failure"/>, ...) and store it with
/// <see cref="IResultStore.StoreAsync"/>; reads return the same shape.
/// </summary>
public sealed record TaskResult
{
    /// <summary>The task id (UUID text, at most 155 characters).</summary>
    public required string TaskId { get; init; }

    /// <summary>A state name from <see cref="TaskStates"/> (custom state names are stored as given).</summary>
    public required string State { get; init; }

    /// <summary>The JSON-like value: the return value for SUCCESS, <c>{pid, hostname}</c> for STARTED; null for exception states.</summary>
    public object? Value { get; init; }

    /// <summary>The exception for FAILURE, RETRY and REVOKED (RETRY may have none).</summary>
    public TaskError? Error { get; init; }

    /// <summary>The traceback text stored with a failure or retry.</summary>
    public string? Traceback { get; init; }

    /// <summary>When the row was last written in a ready state (UTC); null for rows not done. Set by the store, ignored on write.</summary>
    public DateTimeOffset? DateDone { get; init; }

    /// <summary>Task name; written only with <see cref="ResultStoreOptions.ResultExtended"/>.</summary>
    public string? Name { get; init; }

    /// <summary>Positional arguments; written (as JSON) only with <see cref="ResultStoreOptions.ResultExtended"/>.</summary>
    public IReadOnlyList<object?>? Args { get; init; }

    /// <summary>Keyword arguments; written (as JSON) only with <see cref="ResultStoreOptions.ResultExtended"/>.</summary>
    public IReadOnlyDictionary<string, object?>? Kwargs { get; init; }

    /// <summary>Worker node name; written only with <see cref="ResultStoreOptions.ResultExtended"/>.</summary>
    public string? Worker { get; init; }

    /// <summary>Retry count; written only with <see cref="ResultStoreOptions.ResultExtended"/>.</summary>
    public int? Retries { get; init; }

    /// <summary>Routing key the message came with; written only with <see cref="ResultStoreOptions.ResultExtended"/>.</summary>
    public string? Queue { get; init; }

    /// <summary>True when nothing more will happen to the task (SUCCESS, FAILURE, REVOKED).</summary>
    public bool IsReady => TaskStates.IsReady(State);

    /// <summary>A task that returned <paramref name="value"/>.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="value">A JSON-like return value.</param>
    public static TaskResult Success(string taskId, object? value) =>
        new() { TaskId = taskId, State = TaskStates.Success, Value = value };

    /// <summary>A task that raised <paramref name="error"/>.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="error">The exception.</param>
    /// <param name="traceback">The traceback text, if any.</param>
    public static TaskResult Failure(string taskId, TaskError error, string? traceback) =>
        new() { TaskId = taskId, State = TaskStates.Failure, Error = error, Traceback = traceback };

    /// <summary>A task a worker started, as Celery records it: <c>{'pid': pid, 'hostname': hostname}</c>.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="processId">The worker's process id.</param>
    /// <param name="hostname">The worker's node name, e.g. <c>celery@host</c>.</param>
    public static TaskResult Started(string taskId, long processId, string hostname) =>
        new()
        {
            TaskId = taskId,
            State = TaskStates.Started,
            Value = new Dictionary<string, object?> { ["pid"] = processId, ["hostname"] = hostname },
        };

    /// <summary>A task that will run again after <paramref name="error"/>.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="error">The exception that caused the retry, if any.</param>
    /// <param name="traceback">The traceback text, if any.</param>
    public static TaskResult Retry(string taskId, TaskError? error, string? traceback) =>
        new() { TaskId = taskId, State = TaskStates.Retry, Error = error, Traceback = traceback };

    /// <summary>A task revoked before it ran, stored as Celery's <c>TaskRevokedError(reason)</c>.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="reason">Why, e.g. <c>expired</c>.</param>
    public static TaskResult Revoked(string taskId, string reason) =>
        new()
        {
            TaskId = taskId,
            State = TaskStates.Revoked,
            Error = new TaskError("TaskRevokedError", "celery.exceptions", [reason]),
        };

    /// <summary>The answer for a task id without a row: PENDING.</summary>
    /// <param name="taskId">The task id.</param>
    public static TaskResult Pending(string taskId) => new() { TaskId = taskId, State = TaskStates.Pending };
}
