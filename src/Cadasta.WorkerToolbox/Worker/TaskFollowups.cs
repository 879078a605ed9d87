namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// The callbacks and errbacks a task took over from its request
/// (<see cref="TaskContext.ExtractFollowups"/>, the toolbox's <c>extract_followups</c>), ready to be
/// set as the <c>link</c> and <c>link_error</c> options of a later task.
/// </summary>
/// <param name="Link">The success callbacks (signature dicts), or null.</param>
/// <param name="LinkError">The error callbacks (signature dicts), or null.</param>
public sealed record TaskFollowups(
    IReadOnlyList<IReadOnlyDictionary<string, object?>>? Link,
    IReadOnlyList<IReadOnlyDictionary<string, object?>>? LinkError)
{
    /// <summary>The options to merge into a signature's <c>options</c>: <c>link</c> and <c>link_error</c>.</summary>
    public IReadOnlyDictionary<string, object?> ToOptions() => new Dictionary<string, object?>
    {
        ["link"] = Link?.Cast<object?>().ToList(),
        ["link_error"] = LinkError?.Cast<object?>().ToList(),
    };
}
