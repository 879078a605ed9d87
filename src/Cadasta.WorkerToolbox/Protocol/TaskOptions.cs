namespace Cadasta.WorkerToolbox.Protocol;

/// <summary>
/// Typed <c>apply_async</c> options. Each one set becomes the Celery option of the same meaning
/// on a <see cref="Signature"/> (<see cref="Signature.WithOptions"/>); unset ones are left alone.
/// </summary>
public sealed record TaskOptions
{
    /// <summary>The task id (<c>task_id</c>); on a chain it is the last task's id, on a chord the body's.</summary>
    public string? TaskId { get; init; }

    /// <summary>Run no earlier than this long after sending (<c>countdown</c>; zero means now, as in Celery).</summary>
    public TimeSpan? Countdown { get; init; }

    /// <summary>Run no earlier than this time (<c>eta</c>); ignored when <see cref="Countdown"/> is set, as in Celery.</summary>
    public DateTimeOffset? Eta { get; init; }

    /// <summary>Discard the task if it has not started this long after sending (<c>expires</c> in seconds).</summary>
    public TimeSpan? ExpiresAfter { get; init; }

    /// <summary>Discard the task if it has not started at this time (<c>expires</c> as a datetime).</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>The retry count carried by the message (<c>retries</c>).</summary>
    public int? Retries { get; init; }

    /// <summary>Hard time limit (<c>time_limit</c>): the worker kills the task after it.</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>Soft time limit (<c>soft_time_limit</c>): the task is told to stop after it.</summary>
    public TimeSpan? SoftTimeLimit { get; init; }

    /// <summary>Message priority 0–255 (<c>priority</c>).</summary>
    public int? Priority { get; init; }

    /// <summary>Whether the worker stores no result (<c>ignore_result</c>).</summary>
    public bool? IgnoreResult { get; init; }

    /// <summary>Another name for the task in logs (<c>shadow</c>).</summary>
    public string? Shadow { get; init; }

    /// <summary>The queue to declare (<c>queue</c>); with the Cadasta router the routing key still decides where it lands.</summary>
    public string? Queue { get; init; }

    /// <summary>Overrides the router's routing key (<c>routing_key</c>).</summary>
    public string? RoutingKey { get; init; }

    /// <summary>Overrides the router's exchange (<c>exchange</c>).</summary>
    public string? Exchange { get; init; }

    /// <summary>
    /// Custom options, carried as message PROPERTIES with their JSON types, as Celery does:
    /// the platform reads <c>creator_id</c>, <c>related_content_type_id</c>,
    /// <c>related_object_id</c> and <c>is_result</c> (a boolean) there.
    /// </summary>
    public IReadOnlyDictionary<string, object?>? Properties { get; init; }

    internal IEnumerable<KeyValuePair<string, object?>> ToCeleryOptions()
    {
        if (TaskId is not null)
        {
            yield return new("task_id", TaskId);
        }

        if (Countdown is { } countdown)
        {
            yield return new("countdown", Seconds(countdown));
        }

        if (Eta is { } eta)
        {
            yield return new("eta", eta);
        }

        if (ExpiresAfter is { } expiresAfter)
        {
            yield return new("expires", Seconds(expiresAfter));
        }

        if (ExpiresAt is { } expiresAt)
        {
            yield return new("expires", expiresAt);
        }

        if (Retries is { } retries)
        {
            yield return new("retries", (long)retries);
        }

        if (TimeLimit is { } timeLimit)
        {
            yield return new("time_limit", Seconds(timeLimit));
        }

        if (SoftTimeLimit is { } softTimeLimit)
        {
            yield return new("soft_time_limit", Seconds(softTimeLimit));
        }

        if (Priority is { } priority)
        {
            yield return new("priority", (long)priority);
        }

        if (IgnoreResult is { } ignoreResult)
        {
            yield return new("ignore_result", ignoreResult);
        }

        if (Shadow is not null)
        {
            yield return new("shadow", Shadow);
        }

        if (Queue is not null)
        {
            yield return new("queue", Queue);
        }

        if (RoutingKey is not null)
        {
            yield return new("routing_key", RoutingKey);
        }

        if (Exchange is not null)
        {
            yield return new("exchange", Exchange);
        }

        foreach (var property in Properties ?? new Dictionary<string, object?>())
        {
            yield return property;
        }
    }

    /// <summary>Seconds as Python would hold them: an int when whole, else a float.</summary>
    internal static object Seconds(TimeSpan span) =>
        span.Ticks % TimeSpan.TicksPerSecond == 0 ? span.Ticks / TimeSpan.TicksPerSecond : span.TotalSeconds;
}
