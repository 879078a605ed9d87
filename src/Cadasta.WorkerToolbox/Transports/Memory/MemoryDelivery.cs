namespace Cadasta.WorkerToolbox.Transports.Memory;

/// <summary>A delivery from a <see cref="MemoryBroker"/>; settling it goes back to the broker.</summary>
internal sealed class MemoryDelivery(MemoryConsumer consumer, QueuedMessage queued, long sequence)
    : Delivery(queued.Message, queued.Queue, queued.Exchange, queued.RoutingKey, queued.Redelivered)
{
    public MemoryConsumer Consumer { get; } = consumer;

    public QueuedMessage Queued { get; } = queued;

    /// <summary>The order in which the consumer received it, to return unsettled deliveries in order.</summary>
    public long Sequence { get; } = sequence;

    protected override Task AckCoreAsync(CancellationToken cancellationToken) =>
        Settle(requeue: false);

    protected override Task RejectCoreAsync(bool requeue, CancellationToken cancellationToken) =>
        Settle(requeue);

    private Task Settle(bool requeue)
    {
        try
        {
            Consumer.Broker.Settle(this, requeue);
            return Task.CompletedTask;
        }
        catch (InvalidOperationException exception)
        {
            return Task.FromException(exception);
        }
    }
}
