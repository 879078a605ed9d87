namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>A family with what its view shows besides the platform's summary: each task's record id and done time.</summary>
/// <param name="Family">The tasks, the overall status and the overall results as the platform computes them.</param>
/// <param name="Items">The same tasks, oldest first, with record ids and done times.</param>
public sealed record TaskFamilyDetails(TaskFamily Family, IReadOnlyList<TaskListItem> Items);
