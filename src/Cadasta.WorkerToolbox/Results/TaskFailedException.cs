namespace Cadasta.WorkerToolbox.Results;

/// <summary>A task ended in FAILURE or REVOKED; carries the remote exception as Celery stored it.</summary>
public sealed class TaskFailedException : Exception
{
    /// <summary>Creates the exception for a failed task row.</summary>
    /// <param name="result">The stored row (state FAILURE or REVOKED).</param>
    public TaskFailedException(TaskResult result)
        : base(Describe(result))
    {
        ArgumentNullException.ThrowIfNull(result);
        TaskId = result.TaskId;
        State = result.State;
        RemoteExceptionType = result.Error?.ExceptionType ?? "UnknownError";
        RemoteExceptionModule = result.Error?.ExceptionModule ?? "builtins";
        RemoteMessage = result.Error?.Message ?? string.Empty;
        RemoteArguments = result.Error?.Arguments ?? [];
        RemoteTraceback = result.Traceback;
    }

    /// <summary>Creates the exception.</summary>
    public TaskFailedException()
    {
        TaskId = State = RemoteExceptionType = RemoteExceptionModule = RemoteMessage = string.Empty;
        RemoteArguments = [];
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public TaskFailedException(string message)
        : this(message, null!)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public TaskFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
        TaskId = State = RemoteExceptionType = RemoteExceptionModule = RemoteMessage = string.Empty;
        RemoteArguments = [];
    }

    /// <summary>The id of the failed task.</summary>
    public string TaskId { get; }

    /// <summary>FAILURE or REVOKED.</summary>
    public string State { get; }

    /// <summary>The Python exception class name (<c>exc_type</c>), e.g. <c>ValueError</c>.</summary>
    public string RemoteExceptionType { get; }

    /// <summary>The Python module of the exception class (<c>exc_module</c>), e.g. <c>builtins</c>.</summary>
    public string RemoteExceptionModule { get; }

    /// <summary>The remote exception's message, as Python's <c>str(exc)</c> shows it.</summary>
    public string RemoteMessage { get; }

    /// <summary>The remote exception's arguments (<c>exc_message</c>).</summary>
    public IReadOnlyList<object?> RemoteArguments { get; }

    /// <summary>The traceback text stored with the failure, if any.</summary>
    public string? RemoteTraceback { get; }

    private static string Describe(TaskResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var error = result.Error;
        return error is null
            ? $"Task {result.TaskId} ended in {result.State} without a stored exception."
            : $"Task {result.TaskId} ended in {result.State}: {error.ExceptionModule}.{error.ExceptionType}: {error.Message}";
    }
}
