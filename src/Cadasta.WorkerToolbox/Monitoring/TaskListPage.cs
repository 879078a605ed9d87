namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>One page of the task list.</summary>
/// <param name="Items">The tasks, newest first.</param>
/// <param name="Next">Where the next (older) page starts; null on the last page.</param>
public sealed record TaskListPage(IReadOnlyList<TaskListItem> Items, TaskListCursor? Next);
