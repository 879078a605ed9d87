using Cadasta.WorkerToolbox.Results;

namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>A recorded task with its row of <c>celery_taskmeta</c>: result or exception and traceback.</summary>
/// <param name="Item">The record, its state and when it was done.</param>
/// <param name="Result">The stored result row; null while the task has none (PENDING).</param>
public sealed record TaskDetails(TaskListItem Item, TaskResult? Result);
