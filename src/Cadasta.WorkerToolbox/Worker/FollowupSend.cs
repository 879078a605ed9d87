namespace Cadasta.WorkerToolbox.Worker;

/// <summary>How a signature is sent from inside a task (Celery's <c>apply_async</c> arguments).</summary>
/// <param name="ParentId">The sending task's id (<c>parent_id</c>).</param>
/// <param name="RootId">The workflow's root id (<c>root_id</c>).</param>
/// <param name="PrependArgs">Arguments put before the signature's own unless it is immutable (the parent's result).</param>
/// <param name="Chain">The rest of a chain, last first, carried in the message's <c>embed.chain</c>.</param>
internal sealed record FollowupSend(
    string? ParentId,
    string? RootId,
    IReadOnlyList<object?>? PrependArgs = null,
    IReadOnlyList<IReadOnlyDictionary<string, object?>>? Chain = null);
