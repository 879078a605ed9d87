using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Cadasta.WorkerToolbox.Monitoring;
using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.Routing;
using Cadasta.WorkerToolbox.TestSupport.Interop;
using Cadasta.WorkerToolbox.Transports;
using Npgsql;

namespace Cadasta.WorkerToolbox.IntegrationTests.Monitoring;

/// <summary>
/// One monitor test's world: a platform queue of its own (bound to task_exchange with '#', like platform.fifo,
/// so no other test's consumer takes its messages), the monitor running on it against PostgreSQL, and the
/// Python peer (tests/interop/monitor_peer.py) configured for the same broker, queue and database.
/// </summary>
internal sealed class MonitorTestEnvironment : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    public static readonly ExchangeDeclaration TaskExchange = new("task_exchange", ExchangeDeclaration.Topic);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Process> _workers = [];
    private Task? _running;

    private MonitorTestEnvironment(ITransport transport, ITransport producer, string queue, IReadOnlyDictionary<string, string> peerEnvironment, string backendUrl)
    {
        Transport = transport;
        Producer = producer;
        Queue = queue;
        PeerEnvironment = peerEnvironment;
        Store = TaskRecordStore.Create(backendUrl);
        Results = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = backendUrl });
        Queries = new TaskRecordQueries(Store, Results);
        Topology = new Topology([new QueueDeclaration(queue, TaskExchange, "#")]);
    }

    public ITransport Transport { get; }

    public ITransport Producer { get; }

    public string Queue { get; }

    public Topology Topology { get; }

    public IReadOnlyDictionary<string, string> PeerEnvironment { get; }

    public ITaskRecordStore Store { get; }

    public DatabaseResultStore Results { get; }

    public TaskRecordQueries Queries { get; }

    public TaskMonitor? Monitor { get; private set; }

    public Func<ValueTask>? Cleanup { get; init; }

    /// <param name="backendUrl">The database of records and results: the shared PostgreSQL when null (a private cluster for tests that stop it).</param>
    public static async Task<MonitorTestEnvironment> CreateAsync(
        Func<ITransport> createTransport, string queue, IReadOnlyDictionary<string, string> peerEnvironment, Func<ValueTask>? cleanup = null, string? backendUrl = null)
    {
        if (backendUrl is null)
        {
            await RequiredService.PostgreSql.EnsureAsync();
        }

        return new MonitorTestEnvironment(createTransport(), createTransport(), queue, peerEnvironment, backendUrl ?? RequiredService.PostgreSqlBackendUrl) { Cleanup = cleanup };
    }

    public async Task StartMonitorAsync(TimeSpan? maxRetryDelay = null)
    {
        await Producer.DeclareAsync(Topology);
        Monitor = new TaskMonitor(
            Transport,
            Store,
            new TaskMonitorOptions
            {
                Queue = Queue,
                Topology = Topology,
                ReportInterval = TimeSpan.Zero,
                RetryDelay = TimeSpan.FromMilliseconds(200),
                MaxRetryDelay = maxRetryDelay ?? TimeSpan.FromSeconds(2),
            });
        _running = Monitor.RunAsync(_stop.Token);
    }

    /// <summary>Publishes a task message as our producer does (the codec, then the transport).</summary>
    public Task PublishAsync(TaskMessage message) =>
        Producer.PublishAsync(TaskExchange.Name, message.Task.Split('.')[0], TaskMessageCodec.Encode(message));

    /// <summary>Runs <c>monitor_peer.py</c> (peer.py's commands) and returns the JSON it printed.</summary>
    public async Task<JsonNode?> PeerAsync(params string[] arguments)
    {
        var (exitCode, stdout, stderr) = await new PythonPeer(PeerEnvironment).RunScriptAsync("monitor_peer.py", arguments, TimeSpan.FromSeconds(120));
        Assert.True(exitCode == 0, $"monitor_peer.py {string.Join(' ', arguments)} exited {exitCode}:\n{stderr}\n{stdout}");
        return JsonNode.Parse(stdout.Trim().Split('\n')[^1]);
    }

    /// <summary>Starts a real Celery 5.2 worker with the montest tasks; stopped on dispose.</summary>
    public async Task StartPythonWorkerAsync(string queues)
    {
        var info = new ProcessStartInfo(PythonPeer.Interpreter)
        {
            WorkingDirectory = RepositoryPaths.Interop,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(RepositoryPaths.Interop, "monitor_peer.py"), "worker", "-Q", queues, "-n", $"montest-{Guid.NewGuid():N}@%h" })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["PYTHONUNBUFFERED"] = "1";
        foreach (var (key, value) in PeerEnvironment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the Python worker.");
        _workers.Add(process);
        var log = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(object? sender, DataReceivedEventArgs e)
        {
            lock (log)
            {
                log.AppendLine(e.Data);
            }

            if (e.Data?.Contains(" ready.", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        }

        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var done = await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(Patience));
        Assert.True(done == ready.Task, $"The Python Celery worker did not become ready:\n{log}");
    }

    public async Task<TrackedTask> WaitForRecordAsync(string taskId)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            if (await Store.FindAsync(taskId) is { } found)
            {
                return found;
            }

            ThrowIfMonitorStopped();
            Assert.True(DateTime.UtcNow < deadline, $"Task {taskId} was not recorded within {Patience}.");
            await Task.Delay(100);
        }
    }

    public async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            ThrowIfMonitorStopped();
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            await Task.Delay(200);
        }
    }

    public static async Task<long> CountRecordsAsync(string taskId, string? connectionString = null)
    {
        await using var connection = new NpgsqlConnection(connectionString ?? MonitorDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM cadasta_task_record WHERE task_id = @id", connection);
        command.Parameters.AddWithValue("id", taskId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is { } running)
        {
            await running.WaitAsync(Patience);
        }

        foreach (var worker in _workers)
        {
            if (!worker.HasExited)
            {
                worker.Kill(entireProcessTree: true);
                await worker.WaitForExitAsync();
            }

            worker.Dispose();
        }

        await Transport.DisposeAsync();
        await Producer.DisposeAsync();
        await Results.DisposeAsync();
        await Store.DisposeAsync();
        if (Cleanup is { } cleanup)
        {
            await cleanup();
        }

        _stop.Dispose();
    }

    private void ThrowIfMonitorStopped()
    {
        if (_running is { IsCompleted: true } running)
        {
            running.GetAwaiter().GetResult();
            Assert.Fail("The monitor stopped.");
        }
    }
}
