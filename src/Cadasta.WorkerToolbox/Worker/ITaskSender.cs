namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// How the worker sends messages: follow-ups (signatures planned by the protocol's canvas
/// planner) and retries. The task producer implements it.
/// </summary>
internal interface ITaskSender
{
    /// <summary>
    /// Sends a signature (a task, group, chain or chord as its dict), as Celery's
    /// <c>signature.apply_async(args, chain=..., parent_id=..., root_id=...)</c>.
    /// Returns the id of the task that carries its result.
    /// </summary>
    Task<string> SendSignatureAsync(IReadOnlyDictionary<string, object?> signature, FollowupSend send, CancellationToken cancellationToken);

    /// <summary>Publishes one task message as it is (a retry: same id, new retries and eta).</summary>
    Task SendMessageAsync(TaskInvocation message, CancellationToken cancellationToken);
}
