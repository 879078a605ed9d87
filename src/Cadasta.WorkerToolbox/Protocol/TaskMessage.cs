namespace Cadasta.WorkerToolbox.Protocol;

/// <summary>
/// One Celery task message (protocol v2 model; v1 messages are decoded into it as Celery's
/// <c>proto1_to_proto2</c> does). Header fields, the body <c>[args, kwargs, embed]</c> and the
/// task-related properties in one place. Values are JSON-like CLR values.
/// </summary>
public sealed record TaskMessage
{
    private static readonly IReadOnlyDictionary<string, object?> Empty = new Dictionary<string, object?>();

    /// <summary>The protocol the message was read from (2, or 1 for old producers); encoding always writes 2.</summary>
    public int ProtocolVersion { get; init; } = 2;

    /// <summary>Header <c>lang</c>; Celery writes <c>py</c> and no worker reads it.</summary>
    public string? Lang { get; init; } = "py";

    /// <summary>Header <c>task</c>: the task name.</summary>
    public required string Task { get; init; }

    /// <summary>Header <c>id</c>: the task id (also the <c>correlation_id</c> property).</summary>
    public required string Id { get; init; }

    /// <summary>Positional arguments.</summary>
    public IReadOnlyList<object?> Args { get; init; } = [];

    /// <summary>Keyword arguments.</summary>
    public IReadOnlyDictionary<string, object?> Kwargs { get; init; } = Empty;

    /// <summary>Header <c>shadow</c>: another name for logs.</summary>
    public string? Shadow { get; init; }

    /// <summary>Header <c>eta</c>: not before this time.</summary>
    public DateTimeOffset? Eta { get; init; }

    /// <summary>Header <c>expires</c>: discard if not started by this time.</summary>
    public DateTimeOffset? Expires { get; init; }

    /// <summary>Header <c>group</c>: the group (or chord header) id.</summary>
    public string? GroupId { get; init; }

    /// <summary>Header <c>group_index</c>: position in a chord header (Celery ≥4.4.7; null in plain groups).</summary>
    public long? GroupIndex { get; init; }

    /// <summary>Header <c>retries</c>.</summary>
    public long Retries { get; init; }

    /// <summary>Hard time limit in seconds (<c>timelimit[0]</c>).</summary>
    public double? TimeLimit { get; init; }

    /// <summary>Soft time limit in seconds (<c>timelimit[1]</c>).</summary>
    public double? SoftTimeLimit { get; init; }

    /// <summary>Header <c>root_id</c>: the first task of the workflow (its own id for a root task; null in v1).</summary>
    public string? RootId { get; init; }

    /// <summary>Header <c>parent_id</c>: the task that sent this one.</summary>
    public string? ParentId { get; init; }

    /// <summary>Header <c>argsrepr</c> (computed with Celery's saferepr when null at encoding).</summary>
    public string? ArgsRepr { get; init; }

    /// <summary>Header <c>kwargsrepr</c> (computed with Celery's saferepr when null at encoding).</summary>
    public string? KwargsRepr { get; init; }

    /// <summary>Header <c>origin</c>: <c>gen&lt;pid&gt;@&lt;host&gt;</c> of the producer.</summary>
    public string? Origin { get; init; }

    /// <summary>Header <c>ignore_result</c> (Celery ≥5.1; null when absent, as in 4.x).</summary>
    public bool? IgnoreResult { get; init; }

    /// <summary><c>embed.callbacks</c>: run with the result on success (null when none).</summary>
    public IReadOnlyList<Signature>? Callbacks { get; init; }

    /// <summary><c>embed.errbacks</c>: run on failure (null when none).</summary>
    public IReadOnlyList<Signature>? Errbacks { get; init; }

    /// <summary><c>embed.chain</c>: the rest of a chain, LAST task first (the next one is the last element).</summary>
    public IReadOnlyList<Signature>? Chain { get; init; }

    /// <summary><c>embed.chord</c>: the chord body this header task belongs to.</summary>
    public Signature? Chord { get; init; }

    /// <summary>Property <c>correlation_id</c> (the task id when null at encoding).</summary>
    public string? CorrelationId { get; init; }

    /// <summary>Property <c>reply_to</c> (only Celery's RPC backend uses it).</summary>
    public string? ReplyTo { get; init; }

    /// <summary>Property <c>priority</c> (0 when null at encoding).</summary>
    public long? Priority { get; init; }

    /// <summary>Property <c>expiration</c>: the message TTL in milliseconds, set by Celery ≥5.2 when <c>expires</c> is given.</summary>
    public string? Expiration { get; init; }

    /// <summary>
    /// Properties other than the standard ones, with their JSON types: the options Celery passes
    /// through (<c>creator_id</c>, <c>related_content_type_id</c>, <c>related_object_id</c>, <c>is_result</c>...).
    /// </summary>
    public IReadOnlyDictionary<string, object?> CustomProperties { get; init; } = Empty;
}
