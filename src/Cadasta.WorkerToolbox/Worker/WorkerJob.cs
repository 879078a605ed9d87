using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// One received task on its way through the worker, with the delivery that must be settled
/// exactly once. Once the worker returned it to the broker at shutdown, nothing else settles
/// it or records its outcome.
/// </summary>
internal sealed class WorkerJob(Delivery delivery, TaskInvocation task, TaskDefinition definition)
{
    private int _returned;

    public Delivery Delivery { get; } = delivery;

    public TaskInvocation Task { get; } = task;

    public TaskDefinition Definition { get; } = definition;

    public bool Returned => Volatile.Read(ref _returned) != 0;

    /// <summary>Acknowledges, unless the delivery was settled (or returned) already.</summary>
    public Task AckAsync(CancellationToken cancellationToken) =>
        Delivery.IsSettled || Returned ? System.Threading.Tasks.Task.CompletedTask : Settle(() => Delivery.AckAsync(cancellationToken));

    /// <summary>Rejects, unless the delivery was settled (or returned) already.</summary>
    public Task RejectAsync(bool requeue, CancellationToken cancellationToken) =>
        Delivery.IsSettled || Returned ? System.Threading.Tasks.Task.CompletedTask : Settle(() => Delivery.RejectAsync(requeue, cancellationToken));

    /// <summary>Gives the message back to the broker (shutdown): requeued, never acknowledged.</summary>
    public async Task ReturnAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _returned, 1) == 0 && !Delivery.IsSettled)
        {
            await Settle(() => Delivery.RejectAsync(requeue: true, cancellationToken)).ConfigureAwait(false);
        }
    }

    private static async Task Settle(Func<Task> settle)
    {
        try
        {
            await settle().ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Settled concurrently (a shutdown returning it while it finished): the first one counts.
        }
    }
}
