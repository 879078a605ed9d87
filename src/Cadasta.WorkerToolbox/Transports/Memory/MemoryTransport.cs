using Cadasta.WorkerToolbox.Routing;

namespace Cadasta.WorkerToolbox.Transports.Memory;

/// <summary>
/// A connection to a <see cref="MemoryBroker"/> (the <c>memory://</c> transport): the embedded
/// default broker and the fast broker of tests. Publishing completes once every routed queue
/// holds the message. Disposing the transport disposes its consumers, which returns their
/// unsettled deliveries to the broker; the broker and its messages stay.
/// </summary>
public sealed class MemoryTransport : ITransport, IQueueBacklog
{
    private readonly MemoryBroker _broker;
    private readonly Lock _gate = new();
    private readonly HashSet<MemoryConsumer> _consumers = [];
    private bool _disposed;

    /// <summary>Connects to a broker.</summary>
    /// <param name="broker">The broker, shared with the other transports of the process.</param>
    public MemoryTransport(MemoryBroker broker)
    {
        ArgumentNullException.ThrowIfNull(broker);
        _broker = broker;
    }

    /// <inheritdoc />
    public Task DeclareAsync(Topology topology, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topology);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        _broker.Declare(topology);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task PublishAsync(string exchange, string routingKey, TransportMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentNullException.ThrowIfNull(routingKey);
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        _broker.Publish(exchange, routingKey, message);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">A queue was never declared on the broker.</exception>
    public Task<ITransportConsumer> ConsumeAsync(IReadOnlyList<string> queues, int prefetchCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentOutOfRangeException.ThrowIfZero(queues.Count, nameof(queues));
        ArgumentOutOfRangeException.ThrowIfNegative(prefetchCount);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var consumer = _broker.AddConsumer(queues, prefetchCount, Forget);
            _consumers.Add(consumer);
            return Task.FromResult<ITransportConsumer>(consumer);
        }
    }

    /// <inheritdoc />
    public Task<long?> GetMessageCountAsync(string queue, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queue);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_broker.HasQueue(queue) ? (long?)_broker.ReadyCount(queue) : null);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        MemoryConsumer[] consumers;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            consumers = [.. _consumers];
        }

        foreach (var consumer in consumers)
        {
            await consumer.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Forget(MemoryConsumer consumer)
    {
        lock (_gate)
        {
            _consumers.Remove(consumer);
        }
    }
}
