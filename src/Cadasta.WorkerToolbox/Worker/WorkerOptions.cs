using System.Net;
using Cadasta.WorkerToolbox.Configuration;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>How a worker runs (Celery's worker settings).</summary>
public sealed record WorkerOptions
{
    /// <summary>
    /// The options a configuration gives: every configured queue except the platform queue,
    /// <c>worker_concurrency</c> (the processor count when unset), <c>worker_prefetch_multiplier</c>,
    /// <c>task_acks_late</c>, <c>task_track_started</c>, <c>task_soft_time_limit</c>,
    /// <c>task_time_limit</c>, <c>CHORD_UNLOCK_MAX_RETRIES</c>, <c>result_chord_retry_interval</c>.
    /// </summary>
    /// <param name="config">The configuration.</param>
    public static WorkerOptions FromConfig(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new WorkerOptions
        {
            Queues = [.. config.TaskQueues.Select(q => q.Name).Where(name => name != config.PlatformQueueName)],
            Concurrency = config.WorkerConcurrency is { } concurrency and > 0 ? concurrency : Environment.ProcessorCount,
            PrefetchMultiplier = config.WorkerPrefetchMultiplier,
            AcksLate = config.TaskAcksLate,
            AcksOnFailureOrTimeout = config.TaskAcksOnFailureOrTimeout,
            TrackStarted = config.TaskTrackStarted,
            SoftTimeLimit = config.TaskSoftTimeLimit,
            TimeLimit = config.TaskTimeLimit,
            ChordUnlockMaxRetries = config.ChordUnlockMaxRetries,
            ChordUnlockInterval = config.ResultChordRetryInterval,
            Hostname = "celery@" + Dns.GetHostName(),
            DeadLetterQueue = config.DeadLetterQueue,
            MaxDeliveries = config.MaxDeliveries,
            MaxMessageBytes = config.MaxMessageBytes,
            MaxJsonDepth = config.MaxJsonDepth,
        };
    }

    /// <summary>The queues to consume. Empty: every configured queue except the platform queue.</summary>
    public IReadOnlyList<string> Queues { get; init; } = [];

    /// <summary>How many tasks run at once (Celery's <c>worker_concurrency</c>).</summary>
    public int Concurrency { get; init; } = Environment.ProcessorCount;

    /// <summary>Unsettled messages per concurrency slot (Celery's <c>worker_prefetch_multiplier</c>, default 4; 0: no limit).</summary>
    public int PrefetchMultiplier { get; init; } = 4;

    /// <summary>Acknowledge after the outcome is stored instead of when the task starts (Celery's <c>task_acks_late</c>).</summary>
    public bool AcksLate { get; init; }

    /// <summary>
    /// With late acks, acknowledge a failed or timed-out task (true, Celery's default) or reject it
    /// without requeue (Celery's <c>task_acks_on_failure_or_timeout</c>).
    /// </summary>
    public bool AcksOnFailureOrTimeout { get; init; } = true;

    /// <summary>Store STARTED with <c>{pid, hostname}</c> when a task starts (Celery's <c>task_track_started</c>; the toolbox turns it on).</summary>
    public bool TrackStarted { get; init; } = true;

    /// <summary>The worker's node name, as Celery's <c>celery@host</c>.</summary>
    public string Hostname { get; init; } = "celery@" + Environment.MachineName;

    /// <summary>The default soft time limit (the task's CancellationToken fires), or null.</summary>
    public TimeSpan? SoftTimeLimit { get; init; }

    /// <summary>The default hard time limit (the task is abandoned and fails with TimeLimitExceeded), or null.</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>How long <see cref="TaskWorker.StopAsync"/> lets running tasks finish.</summary>
    public TimeSpan ShutdownGracePeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often <c>celery.chord_unlock</c> retries before giving up (the toolbox's <c>CHORD_UNLOCK_MAX_RETRIES</c>, 21600).</summary>
    public int? ChordUnlockMaxRetries { get; init; } = 21600;

    /// <summary>How long <c>celery.chord_unlock</c> waits between polls (Celery's <c>result_chord_retry_interval</c>, 1 s).</summary>
    public TimeSpan ChordUnlockInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How many tasks whose body has finished may wait for their outcome to be stored and their message
    /// settled, beyond the <see cref="Concurrency"/> running ones, before the runners stop taking tasks.
    /// </summary>
    internal int PendingOutcomeLimit { get; init; } = 256;

    /// <summary>
    /// Where a message that cannot be run and has no readable task id is moved, with a reason header
    /// (the toolbox's <c>DEAD_LETTER_QUEUE</c>): <c>{queue}</c> stands for the queue it came from. Null: such a message is
    /// logged and dropped, as Celery does. See docs/reliability.md.
    /// </summary>
    public string? DeadLetterQueue { get; init; } = "{queue}.dead";

    /// <summary>
    /// How many times a message may be delivered without this worker settling it (a crash, a lost
    /// connection) before it is dead-lettered instead of run again (the toolbox's <c>MAX_DELIVERIES</c>, 10).
    /// Returns the worker asks for itself (a result it could not store) do not count.
    /// </summary>
    public int MaxDeliveries { get; init; } = 10;

    /// <summary>The largest message body decoded, in bytes (the toolbox's <c>MAX_MESSAGE_BYTES</c>, 1 MiB); a larger one is refused unread.</summary>
    public int MaxMessageBytes { get; init; } = 1024 * 1024;

    /// <summary>The deepest nesting of JSON arrays and objects decoded in a body (the toolbox's <c>MAX_JSON_DEPTH</c>, 64); a deeper one is refused unread.</summary>
    public int MaxJsonDepth { get; init; } = 64;

    /// <summary>Fail the start when declaring the topology fails (true), or log it and go on (false), as the toolbox's <c>setup_app(throw=...)</c>.</summary>
    public bool ThrowOnSetupFailure { get; init; } = true;
}
