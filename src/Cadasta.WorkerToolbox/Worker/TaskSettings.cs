namespace Cadasta.WorkerToolbox.Worker;

/// <summary>How one task behaves: the attributes a Celery task class declares.</summary>
public sealed record TaskSettings
{
    /// <summary>The default options (Celery's: 3 retries, 180 s retry delay, no time limits).</summary>
    public static TaskSettings Default { get; } = new();

    /// <summary>How often <see cref="TaskContext.Retry"/> may retry before the task fails (null: forever). Celery's default is 3.</summary>
    public int? MaxRetries { get; init; } = 3;

    /// <summary>The countdown of a retry that names none. Celery's default is 180 seconds.</summary>
    public TimeSpan DefaultRetryDelay { get; init; } = TimeSpan.FromSeconds(180);

    /// <summary>After this long the task's <see cref="CancellationToken"/> fires (null: the worker's default). A message's <c>timelimit</c> header wins.</summary>
    public TimeSpan? SoftTimeLimit { get; init; }

    /// <summary>After this long the task is abandoned and fails with <c>TimeLimitExceeded</c> (null: the worker's default). A message's <c>timelimit</c> header wins.</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>Store no result (no STARTED, SUCCESS or FAILURE rows), as Celery's <c>ignore_result</c>.</summary>
    public bool IgnoreResult { get; init; }

    /// <summary>Acknowledge after the outcome is stored (true) or when the task starts (false); null: the worker's <c>task_acks_late</c>.</summary>
    public bool? AcksLate { get; init; }
}
