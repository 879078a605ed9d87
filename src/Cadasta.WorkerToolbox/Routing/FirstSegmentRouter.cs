namespace Cadasta.WorkerToolbox.Routing;

/// <summary>
/// The Cadasta router: a task goes to the default exchange with the first dot-separated
/// segment of its name as routing key (<c>export.project</c> → <c>export</c>).
/// </summary>
/// <param name="exchange">The exchange every task is published to.</param>
public sealed class FirstSegmentRouter(string exchange) : ITaskRouter
{
    /// <summary>The exchange every task is published to.</summary>
    public string Exchange { get; } = exchange;

    /// <inheritdoc />
    public string Description => $"first segment of the task name, on exchange '{Exchange}'";

    /// <inheritdoc />
    public TaskRoute? Route(string taskName)
    {
        ArgumentNullException.ThrowIfNull(taskName);
        var dot = taskName.IndexOf('.', StringComparison.Ordinal);
        return new TaskRoute(Exchange, dot < 0 ? taskName : taskName[..dot]);
    }
}
