namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>
/// One page of the recorded tasks, newest first, narrowed by filters that combine (AND). Pages follow each
/// other by a keyset cursor (<see cref="Before"/>), never by an offset, so a deep page costs what the first does.
/// </summary>
public sealed record TaskListQuery
{
    /// <summary>Only tasks in this state (<c>PENDING</c> means no row in <c>celery_taskmeta</c> yet); null for all.</summary>
    public string? State { get; init; }

    /// <summary>
    /// Only tasks with this name; a name ending in <c>*</c> matches every name starting with the text before it
    /// (<c>export.*</c>). Null for all.
    /// </summary>
    public string? Name { get; init; }

    /// <summary>Only tasks scheduled by this creator (option <c>creator_id</c>); null for all.</summary>
    public string? CreatorId { get; init; }

    /// <summary>Only tasks recorded at or after this time; null for no lower bound.</summary>
    public DateTimeOffset? CreatedFrom { get; init; }

    /// <summary>Only tasks recorded before this time; null for no upper bound.</summary>
    public DateTimeOffset? CreatedTo { get; init; }

    /// <summary>Only tasks older than this position (the previous page's <see cref="TaskListPage.Next"/>); null for the newest.</summary>
    public TaskListCursor? Before { get; init; }

    /// <summary>The most tasks on the page (1 to 1000).</summary>
    public int Limit { get; init; } = 50;
}
