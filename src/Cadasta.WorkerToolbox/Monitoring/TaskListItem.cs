namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>A recorded task as the task list and the family view show it.</summary>
/// <param name="Id">The record's id in the record table (insertion order).</param>
/// <param name="Task">The record and its state.</param>
/// <param name="DoneAt">When <c>celery_taskmeta</c> last recorded the task done (<c>date_done</c>, UTC); null while not done.</param>
public sealed record TaskListItem(long Id, TrackedTask Task, DateTimeOffset? DoneAt)
{
    /// <summary>
    /// From being recorded (scheduled) to done: waiting and running time together; null while not done. Zero when the
    /// task was done before the monitor recorded it (a fast task whose message the monitor read late).
    /// </summary>
    public TimeSpan? Duration => DoneAt is { } done ? (done > Task.Record.Created ? done - Task.Record.Created : TimeSpan.Zero) : null;
}
