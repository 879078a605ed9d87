using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Dashboard;
using Cadasta.WorkerToolbox.Monitoring;
using Cadasta.WorkerToolbox.Producing;
using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Memory;
using Cadasta.WorkerToolbox.Worker;
using Cadasta.WorkerToolbox.Worker.Demo;
using Microsoft.Data.Sqlite;

namespace Cadasta.WorkerToolbox.IntegrationTests.Dashboard;

/// <summary>
/// A real run of the task system in this process, as <c>cadasta-worker demo</c> has it: the memory broker, a SQLite
/// result database, our worker with the demo tasks and our task monitor recording <c>platform.fifo</c>; the
/// dashboard reads what they wrote. The tasks sent: an <c>export.project</c> chord (creator <c>demo-user</c>),
/// <c>msg.add</c>, <c>msg.fail</c>, and a <c>msg.echo</c> whose argument is a script tag.
/// </summary>
public sealed class DemoSystem : IAsyncLifetime
{
    public const string ScriptArgument = "<script>alert(1)</script>";
    public const string MarkupCreator = "<b>bold-creator</b>";
    public const string ExportBundleUrl = "https://exports.invalid/cadasta/demo/demo_all.zip";

    private readonly string _databasePath = Path.Combine(Path.GetTempPath(), $"cadasta-dashboard-{Guid.NewGuid():N}.db");
    private readonly CancellationTokenSource _stopMonitor = new();
    private MemoryBroker? _broker;
    private DatabaseResultStore? _results;
    private ITaskRecordStore? _records;
    private ITransport? _monitorTransport;
    private ITransport? _workerTransport;
    private TaskWorker? _worker;
    private Task? _monitoring;

    public string BackendUrl => "db+sqlite:///" + _databasePath;

    public TaskProducer Producer { get; private set; } = null!;

    public TaskRecordQueries Queries { get; private set; } = null!;

    public DashboardServer Server { get; private set; } = null!;

    public string BaseUrl => Server.Addresses[0];

    public string ExportId { get; private set; } = string.Empty;

    public string EchoId { get; private set; } = string.Empty;

    public string FailId { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var config = new Config(new Dictionary<string, object?> { ["broker_url"] = "memory://", ["result_backend"] = BackendUrl });
        _broker = new MemoryBroker();
        _results = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = BackendUrl });
        await _results.EnsureSchemaAsync();
        _records = TaskRecordStore.Create(BackendUrl);
        await _records.EnsureSchemaAsync();
        Queries = new TaskRecordQueries(_records, _results);

        _monitorTransport = TransportFactory.Create(config, _broker);
        var monitor = new TaskMonitor(_monitorTransport, _records, new TaskMonitorOptions { Queue = config.PlatformQueueName, Topology = config.CreateTopology() });
        _monitoring = monitor.RunAsync(_stopMonitor.Token);

        _workerTransport = TransportFactory.Create(config, _broker);
        Producer = new TaskProducer(config, _workerTransport);
        _worker = new TaskWorker(DemoTasks.Register(new TaskRegistry()), _workerTransport, _results, Producer, WorkerOptions.FromConfig(config));
        await _worker.StartAsync();

        ExportId = await Producer.SendTaskAsync(
            "export.project",
            kwargs: new Dictionary<string, object?> { ["org_slug"] = "cadasta", ["project_slug"] = "demo", ["api_key"] = "key", ["output_type"] = "all" },
            options: new TaskOptions { Properties = new Dictionary<string, object?> { ["creator_id"] = "demo-user" } });
        var addId = await Producer.SendTaskAsync("msg.add", [2L, 3L]);
        FailId = await Producer.SendTaskAsync("msg.fail", ["the dashboard test asked for it"]);
        EchoId = await Producer.SendTaskAsync(
            "msg.echo",
            [ScriptArgument],
            new Dictionary<string, object?> { ["note"] = "<img src=x onerror=alert(2)>" },
            new TaskOptions { Properties = new Dictionary<string, object?> { ["creator_id"] = MarkupCreator } });
        foreach (var id in new[] { ExportId, addId, FailId, EchoId })
        {
            await WaitDoneAsync(id);
        }

        // export.project returns once its chord is sent: the family is done when its is_result task is.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var family = await Queries.GetFamilyAsync(ExportId, deadline.Token);
            if (family.OverallStatus == TaskStates.Success && family.OverallResults.Count == 1 && family.OverallResults[0] is not null)
            {
                break;
            }

            await Task.Delay(50, deadline.Token);
        }

        Server = await DashboardServer.StartAsync(new DashboardOptions
        {
            ResultBackendUrl = BackendUrl,
            Urls = ["http://127.0.0.1:0"],
            QueueBacklog = _workerTransport as IQueueBacklog,
            Queues = [.. config.CreateTopology().Queues.Select(queue => queue.Name)],
            LiveUpdateInterval = TimeSpan.FromMilliseconds(500),
        });
    }

    /// <summary>Sends one more task through the running system and returns its id.</summary>
    public Task<string> SendAsync(string name, IEnumerable<object?> args) => Producer.SendTaskAsync(name, args);

    public async Task WaitDoneAsync(string taskId)
    {
        var result = await new AsyncResult(taskId, _results!).WaitAsync(TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(50));
        Assert.True(result.IsReady, $"task {taskId} did not finish: {result.State}");
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        if (_worker is not null)
        {
            await _worker.StopAsync();
            await _worker.DisposeAsync();
        }

        await _stopMonitor.CancelAsync();
        if (_monitoring is not null)
        {
            await _monitoring.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        foreach (var disposable in new IAsyncDisposable?[] { _workerTransport, _monitorTransport, _records, _results })
        {
            if (disposable is not null)
            {
                await disposable.DisposeAsync();
            }
        }

        _stopMonitor.Dispose();
        SqliteConnection.ClearAllPools();
        foreach (var path in new[] { _databasePath, _databasePath + "-wal", _databasePath + "-shm", _databasePath + "-journal" })
        {
            File.Delete(path);
        }
    }
}
