namespace Cadasta.WorkerToolbox.Worker;

/// <summary>A task failed (Celery's <c>task_failure</c> signal): what error reporters such as Sentry need.</summary>
public sealed class TaskFailureEventArgs : EventArgs
{
    internal TaskFailureEventArgs(string taskName, string taskId, IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?> kwargs, Exception exception, string traceback)
    {
        TaskName = taskName;
        TaskId = taskId;
        Args = args;
        Kwargs = kwargs;
        Exception = exception;
        Traceback = traceback;
    }

    /// <summary>The task's name.</summary>
    public string TaskName { get; }

    /// <summary>The task's id.</summary>
    public string TaskId { get; }

    /// <summary>The positional arguments (JSON-like values).</summary>
    public IReadOnlyList<object?> Args { get; }

    /// <summary>The keyword arguments (JSON-like values).</summary>
    public IReadOnlyDictionary<string, object?> Kwargs { get; }

    /// <summary>The exception the task raised (or the time limit's).</summary>
    public Exception Exception { get; }

    /// <summary>The traceback text stored with the FAILURE.</summary>
    public string Traceback { get; }
}
