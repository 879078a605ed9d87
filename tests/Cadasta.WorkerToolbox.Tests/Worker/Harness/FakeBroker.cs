using System.Threading.Channels;
using Cadasta.WorkerToolbox.Routing;
using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.Tests.Worker.Harness;

/// <summary>
/// A tiny broker for worker tests before the memory transport is merged: queues by name
/// (routing key = queue), prefetch honoured, requeue and redelivery, every settle logged.
/// </summary>
internal sealed class FakeBroker(EventLog log) : ITransport
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedList<(TransportMessage Message, bool Redelivered)>> _queues = [];
    private readonly List<FakeConsumer> _consumers = [];

    public int DeclareCalls { get; private set; }

    public Exception? DeclareFailure { get; set; }

    public Task DeclareAsync(Topology topology, CancellationToken cancellationToken = default)
    {
        DeclareCalls++;
        return DeclareFailure is null ? Task.CompletedTask : Task.FromException(DeclareFailure);
    }

    public Task PublishAsync(string exchange, string routingKey, TransportMessage message, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            Queue(routingKey).AddLast((message, false));
        }

        Pump();
        return Task.CompletedTask;
    }

    public Task<ITransportConsumer> ConsumeAsync(IReadOnlyList<string> queues, int prefetchCount, CancellationToken cancellationToken = default)
    {
        var consumer = new FakeConsumer(this, queues, prefetchCount);
        lock (_gate)
        {
            _consumers.Add(consumer);
        }

        Pump();
        return Task.FromResult<ITransportConsumer>(consumer);
    }

    public int Count(string queue)
    {
        lock (_gate)
        {
            return Queue(queue).Count;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private LinkedList<(TransportMessage, bool)> Queue(string name)
    {
        if (!_queues.TryGetValue(name, out var queue))
        {
            _queues[name] = queue = new();
        }

        return queue;
    }

    private void Pump()
    {
        lock (_gate)
        {
            foreach (var consumer in _consumers.Where(c => !c.Closed))
            {
                foreach (var name in consumer.Queues)
                {
                    var queue = Queue(name);
                    while (queue.Count > 0 && (consumer.Prefetch == 0 || consumer.Unsettled < consumer.Prefetch))
                    {
                        var (message, redelivered) = queue.First!.Value;
                        queue.RemoveFirst();
                        consumer.Deliver(new FakeDelivery(this, consumer, message, name, redelivered));
                    }
                }
            }
        }
    }

    private void Settle(FakeDelivery delivery, string how, bool requeue)
    {
        lock (_gate)
        {
            delivery.Consumer.Unsettled--;
            if (requeue)
            {
                Queue(delivery.Queue).AddFirst((delivery.Message, true));
            }
        }

        log.Add($"{how} {Id(delivery.Message)}");
        Pump();
    }

    private static string Id(TransportMessage message) => message.Headers.GetValueOrDefault("id") as string ?? "?";

    private sealed class FakeDelivery(FakeBroker broker, FakeConsumer consumer, TransportMessage message, string queue, bool redelivered)
        : Delivery(message, queue, "task_exchange", queue, redelivered)
    {
        public FakeConsumer Consumer { get; } = consumer;

        protected override Task AckCoreAsync(CancellationToken cancellationToken)
        {
            broker.Settle(this, "ack", requeue: false);
            return Task.CompletedTask;
        }

        protected override Task RejectCoreAsync(bool requeue, CancellationToken cancellationToken)
        {
            broker.Settle(this, requeue ? "requeue" : "reject", requeue);
            return Task.CompletedTask;
        }

        public void ReturnOnClose()
        {
            if (!IsSettled)
            {
                _ = RejectAsync(requeue: true);
            }
        }
    }

    private sealed class FakeConsumer(FakeBroker broker, IReadOnlyList<string> queues, int prefetch) : ITransportConsumer
    {
        private readonly Channel<Delivery> _channel = Channel.CreateUnbounded<Delivery>();
        private readonly List<FakeDelivery> _delivered = [];

        public IReadOnlyList<string> Queues { get; } = queues;

        public int Prefetch { get; private set; } = prefetch;

        public int Unsettled { get; set; }

        public bool Closed { get; private set; }

        public ChannelReader<Delivery> Deliveries => _channel.Reader;

        public void Deliver(FakeDelivery delivery)
        {
            Unsettled++;
            _delivered.Add(delivery);
            _channel.Writer.TryWrite(delivery);
        }

        public Task SetPrefetchAsync(int prefetchCount, CancellationToken cancellationToken = default)
        {
            lock (broker._gate)
            {
                Prefetch = prefetchCount;
            }

            broker.Pump();
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            List<FakeDelivery> open;
            lock (broker._gate)
            {
                Closed = true;
                open = [.. _delivered.Where(d => !d.IsSettled)];
            }

            _channel.Writer.TryComplete();
            foreach (var delivery in open)
            {
                delivery.ReturnOnClose();
            }

            return ValueTask.CompletedTask;
        }
    }
}
