using System.Collections.Concurrent;
using System.Threading.Channels;
using Cadasta.WorkerToolbox.Routing;
using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.Tests.Monitoring;

/// <summary>
/// A broker queue whose every settlement the test can see: acknowledged messages, requeued ones (delivered
/// again, marked redelivered) and the ones still held by the consumer.
/// </summary>
internal sealed class FakeTransport : ITransport
{
    private readonly Channel<Delivery> _queue = Channel.CreateUnbounded<Delivery>();
    private int _held;

    public ConcurrentQueue<TransportMessage> Acked { get; } = new();

    public ConcurrentQueue<TransportMessage> Requeued { get; } = new();

    public ConcurrentQueue<Topology> Declared { get; } = new();

    public IReadOnlyList<string> ConsumedQueues { get; private set; } = [];

    /// <summary>Deliveries handed to the consumer and not settled yet.</summary>
    public int Held => Volatile.Read(ref _held);

    public void Deliver(TransportMessage message, bool redelivered = false)
    {
        Interlocked.Increment(ref _held);
        _queue.Writer.TryWrite(new FakeDelivery(this, message, redelivered));
    }

    /// <summary>Ends the subscription as a transport that closed for good does.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    public Task DeclareAsync(Topology topology, CancellationToken cancellationToken = default)
    {
        Declared.Enqueue(topology);
        return Task.CompletedTask;
    }

    public Task PublishAsync(string exchange, string routingKey, TransportMessage message, CancellationToken cancellationToken = default)
    {
        Deliver(message);
        return Task.CompletedTask;
    }

    public Task<ITransportConsumer> ConsumeAsync(IReadOnlyList<string> queues, int prefetchCount, CancellationToken cancellationToken = default)
    {
        ConsumedQueues = queues;
        return Task.FromResult<ITransportConsumer>(new FakeConsumer(_queue.Reader));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class FakeConsumer(ChannelReader<Delivery> deliveries) : ITransportConsumer
    {
        public ChannelReader<Delivery> Deliveries { get; } = deliveries;

        public Task SetPrefetchAsync(int prefetchCount, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task StopDeliveriesAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class FakeDelivery(FakeTransport transport, TransportMessage message, bool redelivered)
        : Delivery(message, "platform.fifo", "task_exchange", "export", redelivered)
    {
        protected override Task AckCoreAsync(CancellationToken cancellationToken)
        {
            Interlocked.Decrement(ref transport._held);
            transport.Acked.Enqueue(Message);
            return Task.CompletedTask;
        }

        protected override Task RejectCoreAsync(bool requeue, CancellationToken cancellationToken)
        {
            Interlocked.Decrement(ref transport._held);
            if (requeue)
            {
                transport.Requeued.Enqueue(Message);
                transport.Deliver(Message, redelivered: true);
            }

            return Task.CompletedTask;
        }
    }
}
