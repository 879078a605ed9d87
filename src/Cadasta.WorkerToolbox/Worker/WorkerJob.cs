using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// One received task on its way through the worker, with the delivery that must be settled
/// exactly once. Once the worker gives it back at shutdown, nothing settles it or records its
/// outcome: disposing the consumer returns it to the broker unacknowledged.
/// </summary>
internal sealed class WorkerJob(Delivery delivery, TaskInvocation task, TaskDefinition definition, Action? onRequeue = null)
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
    public Task RejectAsync(bool requeue, CancellationToken cancellationToken)
    {
        if (Delivery.IsSettled || Returned)
        {
            return System.Threading.Tasks.Task.CompletedTask;
        }

        if (requeue)
        {
            // A return the worker asks for itself (its result could not be stored) is no sign of a poison message.
            onRequeue?.Invoke();
        }

        return Settle(() => Delivery.RejectAsync(requeue, cancellationToken));
    }

    /// <summary>
    /// Leaves the message to go back to the broker when the consumer is disposed (shutdown):
    /// from now on nothing acknowledges or rejects it, and no outcome of it is stored.
    /// A requeue now would only hand it straight back to this still-open consumer.
    /// </summary>
    public void MarkReturned() => Interlocked.Exchange(ref _returned, 1);

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
