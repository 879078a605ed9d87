using Cadasta.WorkerToolbox.Worker;
using Microsoft.Extensions.Time.Testing;

namespace Cadasta.WorkerToolbox.Tests.Worker.Harness;

/// <summary>A worker wired to a test broker and result store, with a fake clock.</summary>
internal sealed class WorkerHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private TaskWorker? _worker;

    public WorkerHarness()
    {
        Broker = new FakeBroker(Log);
        Wire = new FakeWire(Broker);
        Results = new RecordingResultBackend(Log);
    }

    public EventLog Log { get; } = new();

    public FakeTimeProvider Time { get; } = new(Start);

    public TaskRegistry Registry { get; } = new();

    public FakeBroker Broker { get; }

    public FakeWire Wire { get; }

    public RecordingResultBackend Results { get; }

    public WorkerOptions Options { get; set; } = new() { Queues = ["msg", "export", "celery"], Concurrency = 1, PrefetchMultiplier = 1 };

    public TaskWorker Worker => _worker ?? throw new InvalidOperationException("not started");

    public async Task StartAsync()
    {
        _worker = new TaskWorker(Registry, Broker, Wire, Results, Wire, Options, topology: null, Time, logger: null);
        await _worker.StartAsync();
    }

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
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        await Broker.PublishAsync("task_exchange", dot < 0 ? name : name[..dot], FakeWire.Encode(task));
        return task.Id;
    }

    public async Task<StoredState> WaitForStateAsync(string taskId, params string[] states)
    {
        await WaitUntilAsync(() => states.Contains(Results.GetAsync(taskId, default).Result.State), $"task {taskId} to reach {string.Join("/", states)}");
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
        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }
    }
}
