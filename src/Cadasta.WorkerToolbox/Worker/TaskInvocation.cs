namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// One task message as the worker sees it (protocol v2 headers and body, decoded), and as it
/// publishes a retry. The protocol codec converts it to and from the wire form.
/// </summary>
internal sealed record TaskInvocation
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public IReadOnlyList<object?> Args { get; init; } = [];

    public IReadOnlyDictionary<string, object?> Kwargs { get; init; } = new Dictionary<string, object?>();

    public IReadOnlyList<IReadOnlyDictionary<string, object?>>? Callbacks { get; init; }

    public IReadOnlyList<IReadOnlyDictionary<string, object?>>? Errbacks { get; init; }

    /// <summary>The rest of a chain, last task first (the next task is the last element).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>>? Chain { get; init; }

    public IReadOnlyDictionary<string, object?>? Chord { get; init; }

    public DateTimeOffset? Eta { get; init; }

    public DateTimeOffset? Expires { get; init; }

    public int Retries { get; init; }

    public TimeSpan? HardTimeLimit { get; init; }

    public TimeSpan? SoftTimeLimit { get; init; }

    public string? RootId { get; init; }

    public string? ParentId { get; init; }

    public string? Group { get; init; }

    public int? GroupIndex { get; init; }

    /// <summary>The header <c>ignore_result</c> (Celery 5.1+); null when absent.</summary>
    public bool? IgnoreResult { get; init; }

    /// <summary>Custom message properties (<c>is_result</c>, <c>creator_id</c>...).</summary>
    public IReadOnlyDictionary<string, object?> Properties { get; init; } = new Dictionary<string, object?>();
}
