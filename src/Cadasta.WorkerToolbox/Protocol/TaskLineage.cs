namespace Cadasta.WorkerToolbox.Protocol;

/// <summary>The task a new message is sent from (worker-side sends): children get its id as parent and its root.</summary>
/// <param name="ParentId">The id of the running task (becomes <c>parent_id</c>).</param>
/// <param name="RootId">The root of the running task's workflow (becomes <c>root_id</c>).</param>
public readonly record struct TaskLineage(string ParentId, string RootId);
