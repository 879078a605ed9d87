using System.Threading.Channels;

namespace Cadasta.WorkerToolbox.Transports;

/// <summary>
/// A running subscription to one or more queues. Deliveries arrive on <see cref="Deliveries"/>;
/// at most the prefetch count of them are unsettled at once. <see cref="StopDeliveriesAsync"/>
/// ends the flow of new deliveries while the consumer stays open for settling the ones it holds
/// (a graceful shutdown with late acknowledgements). Disposing stops the subscription and returns
/// every unsettled delivery to the broker (none is acknowledged).
/// </summary>
public interface ITransportConsumer : IAsyncDisposable
{
    /// <summary>
    /// The received messages, in arrival order. Completes when the consumer stops: normally after
    /// <see cref="StopDeliveriesAsync"/> or disposal, with an exception when the broker ended the
    /// subscription by itself (for example: a consumed queue was deleted).
    /// </summary>
    ChannelReader<Delivery> Deliveries { get; }

    /// <summary>
    /// Asks the broker for no more deliveries (AMQP <c>basic.cancel</c>, SQS: stop polling) and
    /// completes <see cref="Deliveries"/> once the deliveries already on their way are in it. The
    /// consumer stays open: deliveries received before can still be acknowledged or rejected, and
    /// disposing it later returns those left unsettled. Calling it again does nothing.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for the broker.</param>
    Task StopDeliveriesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Changes how many unsettled deliveries the broker may hand this consumer (0: no limit).
    /// A worker raises it while it holds messages whose ETA has not come, as Celery does.
    /// </summary>
    /// <param name="prefetchCount">The new limit.</param>
    /// <param name="cancellationToken">Cancels the wait for the broker.</param>
    Task SetPrefetchAsync(int prefetchCount, CancellationToken cancellationToken = default);
}
