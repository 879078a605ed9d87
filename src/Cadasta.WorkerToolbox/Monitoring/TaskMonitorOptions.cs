using Cadasta.WorkerToolbox.Routing;

namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>How a <see cref="TaskMonitor"/> consumes the platform queue and writes its records.</summary>
public sealed record TaskMonitorOptions
{
    /// <summary>The queue every task message is copied to (the toolbox's <c>PLATFORM_QUEUE_NAME</c>).</summary>
    public string Queue { get; init; } = "platform.fifo";

    /// <summary>
    /// When set, declared before consuming (as the Python toolbox's <c>setup_app</c> does), so the platform
    /// queue exists and is bound even if no producer or worker ran yet.
    /// </summary>
    public Topology? Topology { get; init; }

    /// <summary>Most records written in one database round trip; under load messages are recorded in batches of up to this size.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>How many unacknowledged messages the broker may hand the monitor at once (at least <see cref="BatchSize"/>).</summary>
    public int PrefetchCount { get; init; } = 200;

    /// <summary>Wait after a database failure before the messages go back to the queue; doubles on each failure in a row.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait after database failures in a row.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the monitor logs its counts at information level (<see cref="TimeSpan.Zero"/>: never).</summary>
    public TimeSpan ReportInterval { get; init; } = TimeSpan.FromMinutes(1);

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(Queue, nameof(Queue));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(PrefetchCount, BatchSize, nameof(PrefetchCount));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryDelay, TimeSpan.Zero, nameof(RetryDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetryDelay, RetryDelay, nameof(MaxRetryDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReportInterval, TimeSpan.Zero, nameof(ReportInterval));
    }
}
