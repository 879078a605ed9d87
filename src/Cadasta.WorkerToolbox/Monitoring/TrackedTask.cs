namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>A recorded task with its current state from Celery's result table.</summary>
/// <param name="Record">What the monitor recorded.</param>
/// <param name="Status">The state in <c>celery_taskmeta</c>, <c>PENDING</c> while the task has no row there.</param>
public sealed record TrackedTask(TaskRecord Record, string Status);
