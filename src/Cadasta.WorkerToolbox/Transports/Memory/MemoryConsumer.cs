using System.Threading.Channels;

namespace Cadasta.WorkerToolbox.Transports.Memory;

/// <summary>
/// A subscription to queues of a <see cref="MemoryBroker"/>. The broker writes deliveries into
/// <see cref="Deliveries"/> while the consumer has room under its prefetch limit; its fields
/// other than the channel are only touched under the broker's lock.
/// </summary>
internal sealed class MemoryConsumer : ITransportConsumer
{
    private readonly Channel<Delivery> _deliveries = Channel.CreateUnbounded<Delivery>(
        new UnboundedChannelOptions { SingleWriter = false, SingleReader = false, AllowSynchronousContinuations = false });

    private readonly Action<MemoryConsumer> _onDisposed;

    public MemoryConsumer(MemoryBroker broker, IReadOnlyList<MemoryQueue> queues, int prefetchCount, Action<MemoryConsumer> onDisposed)
    {
        Broker = broker;
        Queues = queues;
        PrefetchCount = prefetchCount;
        _onDisposed = onDisposed;
    }

    public MemoryBroker Broker { get; }

    public IReadOnlyList<MemoryQueue> Queues { get; }

    public int PrefetchCount { get; set; }

    /// <summary>Deliveries handed out and not yet settled, by <see cref="MemoryDelivery.Sequence"/>.</summary>
    public Dictionary<long, MemoryDelivery> Unsettled { get; } = [];

    /// <summary>Where the next round of this consumer starts, so its queues take turns.</summary>
    public int NextQueueIndex { get; set; }

    public bool IsClosed { get; set; }

    /// <summary>Set by <see cref="StopDeliveriesAsync"/>: the broker hands this consumer nothing more.</summary>
    public bool DeliveriesStopped { get; set; }

    public bool HasRoom => !IsClosed && !DeliveriesStopped && (PrefetchCount == 0 || Unsettled.Count < PrefetchCount);

    public ChannelReader<Delivery> Deliveries => _deliveries.Reader;

    public ChannelWriter<Delivery> Writer => _deliveries.Writer;

    public Task SetPrefetchAsync(int prefetchCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefetchCount);
        cancellationToken.ThrowIfCancellationRequested();
        Broker.SetPrefetch(this, prefetchCount);
        return Task.CompletedTask;
    }

    public Task StopDeliveriesAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Broker.StopDeliveries(this);
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Broker.RemoveConsumer(this);
        _onDisposed(this);
        return ValueTask.CompletedTask;
    }
}
