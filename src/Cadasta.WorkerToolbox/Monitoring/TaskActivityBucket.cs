namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>How many tasks finished in one interval of time, by outcome (from <c>celery_taskmeta.date_done</c>).</summary>
/// <param name="Start">The start of the interval (UTC).</param>
/// <param name="Succeeded">Tasks that finished SUCCESS.</param>
/// <param name="Failed">Tasks that finished FAILURE or REVOKED.</param>
public sealed record TaskActivityBucket(DateTimeOffset Start, long Succeeded, long Failed)
{
    /// <summary>Every finished task of the interval.</summary>
    public long Finished => Succeeded + Failed;
}
