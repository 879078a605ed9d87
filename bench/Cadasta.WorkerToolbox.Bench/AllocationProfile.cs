using System.Globalization;
using System.Threading.Channels;
using Cadasta.WorkerToolbox.Producing;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.Routing;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Amqp;
using Cadasta.WorkerToolbox.Worker;
using Cadasta.WorkerToolbox.Worker.Demo;
using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Bench;

/// <summary>
/// Bytes allocated per task on the hot path, per stage, with no broker and no database (so only our code
/// allocates): the producer's send of msg.noop, the AMQP receive mapping, decoding, encoding the STARTED and
/// SUCCESS rows, and one whole task through <see cref="TaskWorker"/> (receive → run → both stores → ack) on an
/// in-process transport and a result store that completes at once. Single-stage numbers come from
/// GC.GetAllocatedBytesForCurrentThread; the whole-worker number from GC.GetTotalAllocatedBytes (all threads).
/// One JSON line per stage.
/// </summary>
internal static class AllocationProfile
{
    private static readonly ExchangeDeclaration Exchange = new("task_exchange", ExchangeDeclaration.Topic);

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var n = options.Int("n", 20000);
        var topology = new Topology([new QueueDeclaration("msg", Exchange, "msg"), new QueueDeclaration("platform.fifo", Exchange, "#")], [Exchange]);
        var transport = new InProcessTransport();
        var producer = new TaskProducer(topology, new FirstSegmentRouter(Exchange.Name), transport, TimeProvider.System, logger: null);
        await producer.EnsureSetupAsync();

        // The producer (bench and platform side, not the worker; reported for completeness).
        Report("produce msg.noop (encode + route, 2 queues)", n, await MeasureAllThreadsAsync(n, async () => await producer.SendTaskAsync("msg.noop")));
        var message = transport.Published.Reader.TryRead(out var first) ? first : throw new InvalidOperationException("nothing published");
        while (transport.Published.Reader.TryRead(out _))
        {
        }

        var properties = AmqpMessageMapping.ToBasicProperties(message);
        var body = message.Body.ToArray();
        Report("AMQP receive mapping (properties + body → TransportMessage)", n, Measure(n, () => AmqpMessageMapping.ToTransportMessage(properties, body)));
        var decoder = new ProtocolTaskDecoder();
        Report("decode (TransportMessage → TaskInvocation)", n, Measure(n, () => decoder.Decode(message)));
        var started = new TaskResult { TaskId = Guid.NewGuid().ToString(), State = TaskStates.Started, Value = new Dictionary<string, object?> { ["pid"] = 1L, ["hostname"] = "celery@bench" } };
        var success = TaskResult.Success(started.TaskId, null);
        Report("encode STARTED + SUCCESS rows (pickle)", n, Measure(n, () => { DatabaseResultStore.Encode(started, extended: false); DatabaseResultStore.Encode(success, extended: false); }));

        var store = new CompletedResultStore();
        var registry = DemoTasks.Register(new TaskRegistry());
        // --log info: the DemoWorker's logging (simple console, Information: two lines per task), to stderr.
        var logLevel = options.Text("log", "none");
        using var loggerFactory = LoggerFactory.Create(logging =>
        {
            if (logLevel == "info")
            {
                logging.AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "HH:mm:ss "; })
                    .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace)
                    .SetMinimumLevel(LogLevel.Information);
            }
        });
        await using var worker = new TaskWorker(
            registry, transport, store, producer, new WorkerOptions { Concurrency = 2, PrefetchMultiplier = 4, Queues = ["msg"] }, topology,
            logger: loggerFactory.CreateLogger<TaskWorker>());
        await worker.StartAsync();
        async Task RunTasksAsync(int count)
        {
            var target = store.Stored + (2 * count);
            for (var i = 0; i < count; i++)
            {
                transport.Deliver(message);
            }

            while (Volatile.Read(ref store.Stored) < target || transport.Acked < transport.Delivered)
            {
                await Task.Delay(1);
            }
        }

        await RunTasksAsync(2000);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        await RunTasksAsync(n);
        Report("whole task in TaskWorker (receive → STARTED → run → SUCCESS → ack), all threads, logging: " + logLevel, n, GC.GetTotalAllocatedBytes(precise: true) - before);
        await worker.StopAsync();
        return 0;
    }

    private static long Measure(int n, Action action)
    {
        for (var i = 0; i < 1000; i++)
        {
            action();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < n; i++)
        {
            action();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static async Task<long> MeasureAllThreadsAsync(int n, Func<Task> action)
    {
        for (var i = 0; i < 1000; i++)
        {
            await action();
        }

        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < n; i++)
        {
            await action();
        }

        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }

    private static void Report(string stage, int n, long bytes) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"kind\":\"alloc\",\"stage\":\"{stage}\",\"n\":{n},\"bytes_per_task\":{(double)bytes / n:F0}}}"));

    /// <summary>Publishes into a channel, delivers what it is given, counts acks.</summary>
    private sealed class InProcessTransport : ITransport, ITransportConsumer
    {
        private readonly Channel<Delivery> _deliveries = Channel.CreateUnbounded<Delivery>();
        private int _acked;
        private int _delivered;

        public Channel<TransportMessage> Published { get; } = Channel.CreateUnbounded<TransportMessage>();

        public int Acked => Volatile.Read(ref _acked);

        public int Delivered => Volatile.Read(ref _delivered);

        public ChannelReader<Delivery> Deliveries => _deliveries.Reader;

        public void Deliver(TransportMessage message)
        {
            Interlocked.Increment(ref _delivered);
            _deliveries.Writer.TryWrite(new InProcessDelivery(this, message));
        }

        public Task DeclareAsync(Topology topology, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task PublishAsync(string exchange, string routingKey, TransportMessage message, CancellationToken cancellationToken = default)
        {
            Published.Writer.TryWrite(message);
            return Task.CompletedTask;
        }

        public Task<ITransportConsumer> ConsumeAsync(IReadOnlyList<string> queues, int prefetchCount, CancellationToken cancellationToken = default) =>
            Task.FromResult<ITransportConsumer>(this);

        public Task SetPrefetchAsync(int prefetchCount, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task StopDeliveriesAsync(CancellationToken cancellationToken = default)
        {
            _deliveries.Writer.TryComplete();
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private sealed class InProcessDelivery(InProcessTransport owner, TransportMessage message) : Delivery(message, "msg", "task_exchange", "msg", redelivered: false)
        {
            protected override Task AckCoreAsync(CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref owner._acked);
                return Task.CompletedTask;
            }

            protected override Task RejectCoreAsync(bool requeue, CancellationToken cancellationToken) => AckCoreAsync(cancellationToken);
        }
    }

    /// <summary>Encodes each row as the database store does (the pickle is part of the cost), then completes.</summary>
    private sealed class CompletedResultStore : IResultStore
    {
        public int Stored;

        public Task StoreAsync(TaskResult result, CancellationToken cancellationToken = default)
        {
            DatabaseResultStore.Encode(result, extended: false);
            Interlocked.Increment(ref Stored);
            return Task.CompletedTask;
        }

        public Task<TaskResult?> ReadAsync(string taskId, CancellationToken cancellationToken = default) => Task.FromResult<TaskResult?>(null);

        public Task EnsureSchemaAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
