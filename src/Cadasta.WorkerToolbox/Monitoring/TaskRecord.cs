namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>
/// A task as the task monitor recorded it from the platform queue: what the Cadasta platform's
/// <c>BackgroundTask</c> row holds. Values are JSON-like CLR values (null, bool, long, double, string,
/// lists, string-keyed dictionaries).
/// </summary>
public sealed record TaskRecord
{
    /// <summary>The task id (header <c>id</c>); unique among records.</summary>
    public required string TaskId { get; init; }

    /// <summary>The task name (header <c>task</c>), e.g. <c>export.project</c>; the platform calls it the task's type.</summary>
    public required string TaskName { get; init; }

    /// <summary>The positional arguments of the message.</summary>
    public required IReadOnlyList<object?> Args { get; init; }

    /// <summary>The keyword arguments of the message.</summary>
    public required IReadOnlyDictionary<string, object?> Kwargs { get; init; }

    /// <summary>
    /// The scheduling options: every message property (custom ones such as <c>is_result</c> included) plus the
    /// headers <c>eta</c>, <c>expires</c>, <c>retries</c> and <c>timelimit</c> when they are set.
    /// </summary>
    public required IReadOnlyDictionary<string, object?> Options { get; init; }

    /// <summary>The id of the task that sent this one (header <c>parent_id</c>), if any.</summary>
    public string? ParentId { get; init; }

    /// <summary>The id of the first task of the family (header <c>root_id</c>; the task's own id when absent).</summary>
    public required string RootId { get; init; }

    /// <summary>The user who scheduled the task (option <c>creator_id</c>), if given.</summary>
    public string? CreatorId { get; init; }

    /// <summary>The content type of the object the task works on (option <c>related_content_type_id</c>), if given.</summary>
    public long? RelatedContentTypeId { get; init; }

    /// <summary>The id of the object the task works on (option <c>related_object_id</c>), if given.</summary>
    public string? RelatedObjectId { get; init; }

    /// <summary>When the monitor first recorded the task (UTC).</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>True when the option <c>is_result</c> is true: this task's result is its family's result.</summary>
    public bool IsResult => Options.TryGetValue("is_result", out var value) && value is true;
}
