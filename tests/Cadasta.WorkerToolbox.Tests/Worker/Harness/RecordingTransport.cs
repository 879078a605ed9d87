using System.Collections.Concurrent;
using System.Threading.Channels;
using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Routing;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Worker;

namespace Cadasta.WorkerToolbox.Tests.Worker.Harness;

/// <summary>
/// Wraps a real transport and records, in the shared event log, every settle the worker makes
/// ("ack id", "reject id", "requeue id"), and every task message published (decoded).
/// </summary>
internal sealed class RecordingTransport(ITransport inner, EventLog log) : ITransport
{
    public ConcurrentQueue<TaskInvocation> Sent { get; } = new();

    public int DeclareCalls { get; private set; }

    public Exception? DeclareFailure { get; set; }

    public async Task DeclareAsync(Topology topology, CancellationToken cancellationToken = default)
    {
        DeclareCalls++;
        if (DeclareFailure is not null)
        {
            throw DeclareFailure;
        }

        await inner.DeclareAsync(topology, cancellationToken);
    }

    public Task PublishAsync(string exchange, string routingKey, TransportMessage message, CancellationToken cancellationToken = default)
    {
        var decoded = TaskMessageCodec.Decode(message);
        if (decoded.IsSuccess)
        {
            Sent.Enqueue(TaskMessageMapping.ToInvocation(decoded.Message));
        }

        return inner.PublishAsync(exchange, routingKey, message, cancellationToken);
    }

    public async Task<ITransportConsumer> ConsumeAsync(IReadOnlyList<string> queues, int prefetchCount, CancellationToken cancellationToken = default) =>
        new RecordingConsumer(await inner.ConsumeAsync(queues, prefetchCount, cancellationToken), log);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private static string Id(TransportMessage message) => message.Headers.GetValueOrDefault("id") as string ?? "?";

    private sealed class RecordingConsumer : ITransportConsumer
    {
        private readonly ITransportConsumer _inner;
        private readonly Channel<Delivery> _deliveries = Channel.CreateUnbounded<Delivery>();
        private readonly Task _pump;
        private readonly EventLog _log;

        public RecordingConsumer(ITransportConsumer inner, EventLog log)
        {
            _inner = inner;
            _log = log;
            _pump = Task.Run(async () =>
            {
                try
                {
                    await foreach (var delivery in inner.Deliveries.ReadAllAsync())
                    {
                        _deliveries.Writer.TryWrite(new RecordingDelivery(delivery, log));
                    }

                    _deliveries.Writer.TryComplete();
                }
                catch (Exception error)
                {
                    _deliveries.Writer.TryComplete(error);
                }
            });
        }

        public ChannelReader<Delivery> Deliveries => _deliveries.Reader;

        public Task SetPrefetchAsync(int prefetchCount, CancellationToken cancellationToken = default) => _inner.SetPrefetchAsync(prefetchCount, cancellationToken);

        public Task StopDeliveriesAsync(CancellationToken cancellationToken = default)
        {
            _log.Add("stop-deliveries");
            return _inner.StopDeliveriesAsync(cancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            await _inner.DisposeAsync();
            await _pump;
        }
    }

    private sealed class RecordingDelivery(Delivery inner, EventLog log)
        : Delivery(inner.Message, inner.Queue, inner.Exchange, inner.RoutingKey, inner.Redelivered)
    {
        public override async Task ExtendReservationAsync(TimeSpan duration, CancellationToken cancellationToken = default)
        {
            log.Add($"extend {duration.TotalSeconds:0} {Id(Message)}");
            await inner.ExtendReservationAsync(duration, cancellationToken);
        }

        protected override async Task AckCoreAsync(CancellationToken cancellationToken)
        {
            log.Add($"ack {Id(Message)}");
            await inner.AckAsync(cancellationToken);
        }

        protected override async Task RejectCoreAsync(bool requeue, CancellationToken cancellationToken)
        {
            log.Add($"{(requeue ? "requeue" : "reject")} {Id(Message)}");
            await inner.RejectAsync(requeue, cancellationToken);
        }
    }
}
