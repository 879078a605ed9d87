namespace Cadasta.WorkerToolbox.Routing;

/// <summary>Decides where a task is published, as an entry of Celery's <c>task_routes</c>.</summary>
public interface ITaskRouter
{
    /// <summary>A short human description, shown by <c>cadasta-worker config</c>.</summary>
    string Description { get; }

    /// <summary>The route for a task, or null when this router has no opinion.</summary>
    /// <param name="taskName">The task's registered name, for example <c>export.project</c>.</param>
    TaskRoute? Route(string taskName);
}
