namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// Thrown (through <c>throw context.Retry(...)</c>) to retry the running task: the worker sends
/// a new message with the same id and <c>retries + 1</c>, and stores the state RETRY. Let it propagate.
/// </summary>
public sealed class TaskRetryException : Exception
{
    /// <summary>Creates a retry request (use <see cref="TaskContext.Retry"/> instead).</summary>
    public TaskRetryException()
        : this(TimeSpan.Zero, null)
    {
    }

    /// <summary>Creates a retry request with a message.</summary>
    /// <param name="message">The message.</param>
    public TaskRetryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates a retry request with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause of the retry.</param>
    public TaskRetryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal TaskRetryException(TimeSpan countdown, Exception? cause)
        : base(FormattableString.Invariant($"Retry in {countdown.TotalSeconds}s") + (cause is null ? string.Empty : $": {cause.GetType().Name}({cause.Message})"), cause)
    {
        Countdown = countdown;
    }

    /// <summary>How long after now the retry runs.</summary>
    public TimeSpan Countdown { get; }

    /// <summary>When the retry runs, when given as a moment rather than a countdown.</summary>
    public DateTimeOffset? Eta { get; init; }
}
