using Cadasta.WorkerToolbox.Results;

namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>
/// All recorded tasks sharing one root id (a task, its chain, chord members, callbacks...) and what the
/// Cadasta platform derives from them: the overall status and the overall results.
/// </summary>
public sealed class TaskFamily
{
    /// <summary>The task name Celery uses to poll a chord's header; it says nothing about the family's progress.</summary>
    public const string ChordUnlockTaskName = "celery.chord_unlock";

    /// <summary>Creates a family.</summary>
    /// <param name="rootId">The shared root id.</param>
    /// <param name="tasks">The family's tasks, oldest first.</param>
    /// <param name="overallResults">The results of the tasks whose option <c>is_result</c> is true.</param>
    public TaskFamily(string rootId, IReadOnlyList<TrackedTask> tasks, IReadOnlyList<object?> overallResults)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(overallResults);
        RootId = rootId;
        Tasks = tasks;
        OverallResults = overallResults;
        OverallStatus = ComputeOverallStatus(tasks);
    }

    /// <summary>The shared root id.</summary>
    public string RootId { get; }

    /// <summary>The family's tasks, oldest first.</summary>
    public IReadOnlyList<TrackedTask> Tasks { get; }

    /// <summary>The family's status as the platform computes it, see <see cref="ComputeOverallStatus"/>.</summary>
    public string OverallStatus { get; }

    /// <summary>
    /// The stored results of the family's tasks whose option <c>is_result</c> is true, oldest first (null for
    /// such a task without a result yet; for a failed one, Celery's exception dict).
    /// </summary>
    public IReadOnlyList<object?> OverallResults { get; }

    /// <summary>
    /// The platform's overall status: over the distinct statuses of the family's tasks except
    /// <c>celery.chord_unlock</c>, several distinct statuses give FAILURE if one of them is FAILURE, else
    /// STARTED; a single status gives that status; no task gives PENDING.
    /// </summary>
    /// <param name="tasks">The family's tasks.</param>
    public static string ComputeOverallStatus(IEnumerable<TrackedTask> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var statuses = tasks
            .Where(task => task.Record.TaskName != ChordUnlockTaskName)
            .Select(task => task.Status)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return statuses.Count switch
        {
            0 => TaskStates.Pending,
            1 => statuses[0],
            _ => statuses.Contains(TaskStates.Failure) ? TaskStates.Failure : TaskStates.Started,
        };
    }
}
