using Cadasta.WorkerToolbox.Producing;
using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.Routing;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Memory;
using Cadasta.WorkerToolbox.Worker;
using Microsoft.Extensions.Time.Testing;

namespace Cadasta.WorkerToolbox.Tests.Worker.Harness;

/// <summary>
/// A worker on the memory transport and a SQLite result store (Celery's schema), with a fake
/// clock; the transport and the store are wrapped to record, in one ordered log, every settle and
/// every committed write.
/// </summary>
internal sealed class WorkerHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static readonly ExchangeDeclaration Exchange = new("task_exchange", ExchangeDeclaration.Topic);

    private readonly string _databasePath = Path.Combine(Path.GetTempPath(), $"worker-tests-{Guid.NewGuid():N}.db");
    private readonly List<TaskWorker> _workers = [];
    private readonly DatabaseResultStore _database;
    private readonly ProducerIdentity _identity = ProducerIdentity.ForCurrentProcess();

    public WorkerHarness()
    {
        MemoryBroker = new MemoryBroker();
        Transport = new RecordingTransport(new MemoryTransport(MemoryBroker), Log);
        _database = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = "db+sqlite:///" + _databasePath }, timeProvider: Time);
        Store = new RecordingResultStore(_database, Log);
        Results = new HarnessResults(Store);
        Topology = new Topology(
            [
                new QueueDeclaration("msg", Exchange, "msg"),
                new QueueDeclaration("export", Exchange, "export"),
                new QueueDeclaration("celery", Exchange, "celery"),
                new QueueDeclaration("platform.fifo", Exchange, "#"),
            ],
            [Exchange]);
        Producer = new TaskProducer(Topology, new FirstSegmentRouter(Exchange.Name), Transport, Time, logger: null);
    }

    public EventLog Log { get; } = new();

    public FakeTimeProvider Time { get; } = new(Start);

    public TaskRegistry Registry { get; } = new();

    public MemoryBroker MemoryBroker { get; }

    public RecordingTransport Transport { get; }

    public RecordingResultStore Store { get; }

    public HarnessResults Results { get; }

    public Topology Topology { get; }

    public TaskProducer Producer { get; }

    public IEnumerable<TaskInvocation> Sent => Transport.Sent;

    public WorkerOptions Options { get; set; } = new() { Concurrency = 1, PrefetchMultiplier = 1 };

    public TaskWorker Worker => _workers.Count > 0 ? _workers[0] : throw new InvalidOperationException("not started");

    public async Task StartAsync()
    {
        await Store.EnsureSchemaAsync();
        var worker = CreateWorker();
        await worker.StartAsync();
    }

    public TaskWorker CreateWorker(WorkerOptions? options = null, Topology? topology = null, TaskRegistry? registry = null)
    {
        var worker = new TaskWorker(registry ?? Registry, Transport, Store, Producer, options ?? Options, topology ?? Topology, Time);
        _workers.Add(worker);
        return worker;
    }

    /// <summary>A worker on this harness's broker and producer that stores outcomes in <paramref name="results"/> instead.</summary>
    public TaskWorker CreateWorker(IResultBackend results, WorkerOptions? options = null)
    {
        var worker = new TaskWorker(Registry, Transport, new ProtocolTaskDecoder(), results, Producer, options ?? Options, Topology, Time, logger: null);
        _workers.Add(worker);
        return worker;
    }

    /// <summary>Messages waiting in a queue of the memory broker (delivered ones not counted).</summary>
    public int Count(string queue) => MemoryBroker.ReadyCount(queue);

    public async Task<string> PublishAsync(string name, IReadOnlyList<object?>? args = null, IReadOnlyDictionary<string, object?>? kwargs = null, Func<TaskInvocation, TaskInvocation>? with = null)
    {
        var task = new TaskInvocation
        {
            Id = Guid.NewGuid().ToString(),
            Name = name,
            Args = args ?? [],
            Kwargs = kwargs ?? new Dictionary<string, object?>(),
        };
        task = with?.Invoke(task) ?? task;
        await Producer.EnsureSetupAsync();
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        await Transport.PublishAsync(Exchange.Name, dot < 0 ? name : name[..dot], TaskMessageCodec.Encode(TaskMessageMapping.ToMessage(task, _identity)));
        return task.Id;
    }

    public async Task PublishRawAsync(string routingKey, TransportMessage message)
    {
        await Producer.EnsureSetupAsync();
        await Transport.PublishAsync(Exchange.Name, routingKey, message);
    }

    public async Task<StoredState> WaitForStateAsync(string taskId, params string[] states)
    {
        await WaitUntilAsync(() => states.Any(s => Results.History(taskId).Contains(s)), $"task {taskId} to reach {string.Join("/", states)}");
        return await Results.GetAsync(taskId, default);
    }

    /// <summary>Waits (real time, generous bound) for a condition the worker makes true asynchronously.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"Gave up waiting for {what}.");
            }

            await Task.Delay(5, CancellationToken.None);
        }
    }

    /// <summary>
    /// Moves the fake clock on by <paramref name="step"/> until <paramref name="done"/> holds: for
    /// waits (task sleeps, grace periods) that start on a worker thread at a moment the test cannot see.
    /// </summary>
    public async Task AdvanceUntilAsync(Func<bool> done, TimeSpan step, string what)
    {
        await WaitUntilAsync(() =>
        {
            if (done())
            {
                return true;
            }

            Time.Advance(step);
            return done();
        }, what);
    }

    /// <summary>Lets the worker's threads catch up with what is already queued (no time passes on the fake clock).</summary>
    public static Task SettleAsync() => Task.Delay(100);

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }

        await Store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(_databasePath);
    }

    /// <summary>The store as the worker sees it, plus each task's history of states.</summary>
    internal sealed class HarnessResults(RecordingResultStore store) : IResultBackend
    {
        private readonly ResultStoreBackend _backend = new(store);

        public Task StoreAsync(string taskId, string state, object? value, ExceptionInfo? error, CancellationToken cancellationToken) =>
            _backend.StoreAsync(taskId, state, value, error, cancellationToken);

        public Task<StoredState> GetAsync(string taskId, CancellationToken cancellationToken) => _backend.GetAsync(taskId, cancellationToken);

        public IReadOnlyList<string> History(string taskId) => store.History(taskId);
    }
}
