using System.Threading.Channels;

namespace Cadasta.WorkerToolbox.Transports;

/// <summary>
/// A running subscription to one or more queues. Deliveries arrive on <see cref="Deliveries"/>;
/// at most the prefetch count of them are unsettled at once. Disposing stops the subscription
/// and returns every unsettled delivery to the broker (none is acknowledged).
/// </summary>
public interface ITransportConsumer : IAsyncDisposable
{
    /// <summary>The received messages, in arrival order. Completes when the consumer stops.</summary>
    ChannelReader<Delivery> Deliveries { get; }

    /// <summary>
    /// Changes how many unsettled deliveries the broker may hand this consumer (0: no limit).
    /// A worker raises it while it holds messages whose ETA has not come, as Celery does.
    /// </summary>
    /// <param name="prefetchCount">The new limit.</param>
    /// <param name="cancellationToken">Cancels the wait for the broker.</param>
    Task SetPrefetchAsync(int prefetchCount, CancellationToken cancellationToken = default);
}
