using Cadasta.WorkerToolbox.Monitoring;
using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Routing;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Cadasta.WorkerToolbox.Tests.Monitoring;

/// <summary>The monitor end to end in process: Cadasta topology on the memory broker, the real codec, SQLite.</summary>
public sealed class MonitorOnMemoryTransportTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly ExchangeDeclaration TaskExchange = new("task_exchange", ExchangeDeclaration.Topic);
    private static readonly Topology Cadasta = new(
    [
        new QueueDeclaration("celery", TaskExchange, "celery"),
        new QueueDeclaration("platform.fifo", TaskExchange, "#"),
        new QueueDeclaration("msg", TaskExchange, "msg"),
        new QueueDeclaration("export", TaskExchange, "export"),
    ]);

    private readonly MemoryBroker _broker = new();
    private readonly MemoryTransport _producer;
    private readonly MemoryTransport _monitorTransport;
    private readonly SqliteTestDatabase _database = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 9, 30, 0, TimeSpan.Zero));
    private readonly RecordingLogger<TaskMonitor> _logger = new();
    private readonly CancellationTokenSource _stop = new();
    private FlakyTaskRecordStore? _store;
    private TaskMonitor? _monitor;
    private Task? _running;

    public MonitorOnMemoryTransportTests()
    {
        _producer = new MemoryTransport(_broker);
        _monitorTransport = new MemoryTransport(_broker);
    }

    private FlakyTaskRecordStore Store => _store!;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is { } running)
        {
            await running.WaitAsync(Patience);
        }

        await _monitorTransport.DisposeAsync();
        await _producer.DisposeAsync();
        _stop.Dispose();
        _database.Dispose();
    }

    [Fact]
    public async Task Records_every_field_of_an_export_project_message_published_by_the_codec()
    {
        await StartAsync();
        var id = Guid.NewGuid().ToString();

        await PublishAsync(ExportProject(id));
        var found = await WaitForRecordAsync(id);

        var record = found.Record;
        Assert.Equal("export.project", record.TaskName);
        Assert.Empty(record.Args);
        Assert.Equal("prj", record.Kwargs["project_slug"]);
        Assert.Equal(id, record.RootId);
        Assert.Null(record.ParentId);
        Assert.Equal("user123", record.CreatorId);
        Assert.Equal(42L, record.RelatedContentTypeId);
        Assert.Equal("prj123", record.RelatedObjectId);
        Assert.Equal(_time.GetUtcNow(), record.Created);
        Assert.Equal(id, record.Options["correlation_id"]);
        Assert.Equal(0L, record.Options["retries"]);
        Assert.Equal(new object?[] { 300L, 240L }, Assert.IsAssignableFrom<IReadOnlyList<object?>>(record.Options["timelimit"]));
        Assert.Equal("PENDING", found.Status);

        // The platform queue is drained and acknowledged; the export queue keeps its own copy for the worker.
        await WaitUntilAsync(() => _broker.ReadyCount("platform.fifo") == 0 && Monitor.Statistics.Recorded == 1);
        Assert.Equal(1, _broker.ReadyCount("export"));
    }

    [Fact]
    public async Task The_same_message_twice_and_a_retry_with_the_same_id_record_one_task()
    {
        await StartAsync();
        var id = Guid.NewGuid().ToString();

        await PublishAsync(ExportProject(id));
        await PublishAsync(ExportProject(id));
        await PublishAsync(ExportProject(id) with { Retries = 1, Eta = _time.GetUtcNow().AddSeconds(5) });
        await WaitUntilAsync(() => Monitor.Statistics.Recorded + Monitor.Statistics.AlreadyRecorded == 3);

        Assert.Equal(new TaskMonitorStatistics(1, 2, 0, 0), Monitor.Statistics);
        Assert.Equal(1L, _database.Scalar("SELECT COUNT(*) FROM cadasta_task_record"));
        Assert.False((await Store.FindAsync(id))!.Record.Options.ContainsKey("eta"));
        Assert.Equal(0, _broker.ReadyCount("platform.fifo"));
    }

    [Fact]
    public async Task A_malformed_message_is_acknowledged_and_logged_and_the_next_good_one_is_recorded()
    {
        await StartAsync();
        var good = Guid.NewGuid().ToString();
        var pickled = new TransportMessage
        {
            Body = new byte[] { 0x80, 0x05, 0x4b, 0x03, 0x2e },
            ContentType = TaskMessageCodec.PickleContentType,
            ContentEncoding = "binary",
            Headers = new Dictionary<string, object?> { ["id"] = "pickled-1", ["task"] = "export.project" },
        };

        await _producer.PublishAsync("task_exchange", "export", pickled);
        await PublishAsync(ExportProject(good));
        await WaitForRecordAsync(good);
        await WaitUntilAsync(() => _broker.ReadyCount("platform.fifo") == 0 && Monitor.Statistics.Malformed == 1);

        var warning = Assert.Single(_logger.At(LogLevel.Warning));
        Assert.Contains("id=pickled-1", warning, StringComparison.Ordinal);
        Assert.Contains("PickleRefused", warning, StringComparison.Ordinal);
        Assert.Null(await Store.FindAsync("pickled-1"));
    }

    [Fact]
    public async Task A_database_failure_keeps_the_message_on_the_broker_until_it_is_recorded()
    {
        await StartAsync(failures: 3);
        var id = Guid.NewGuid().ToString();

        await PublishAsync(ExportProject(id));
        await WaitUntilAsync(() => _logger.At(LogLevel.Error).Count == 1);
        Assert.Null(await Store.FindAsync(id));
        Assert.Equal(0L, Monitor.Statistics.Recorded);

        var deadline = DateTime.UtcNow + Patience;
        while (Monitor.Statistics.Recorded == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "The task was not recorded after the database came back.");
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }

        Assert.NotNull(await Store.FindAsync(id));

        await WaitUntilAsync(() => _broker.ReadyCount("platform.fifo") == 0 && Monitor.Statistics.Recorded == 1);
        Assert.Equal(new TaskMonitorStatistics(1, 0, 0, 3), Monitor.Statistics);
        Assert.Equal(4, Store.Writes);
    }

    private TaskMonitor Monitor => _monitor!;

    private TaskMessage ExportProject(string id) => new()
    {
        Task = "export.project",
        Id = id,
        RootId = id,
        Kwargs = new Dictionary<string, object?> { ["org_slug"] = "org", ["project_slug"] = "prj", ["api_key"] = "tok", ["output_type"] = "xls" },
        TimeLimit = 300,
        SoftTimeLimit = 240,
        ReplyTo = "2ce21e71-0267-3616-9f45-db4e2e9b0f23",
        Origin = "gen7802@vm",
        IgnoreResult = false,
        CustomProperties = new Dictionary<string, object?>
        {
            ["creator_id"] = "user123",
            ["related_content_type_id"] = 42L,
            ["related_object_id"] = "prj123",
        },
    };

    private Task PublishAsync(TaskMessage message) =>
        _producer.PublishAsync("task_exchange", message.Task.Split('.')[0], TaskMessageCodec.Encode(message));

    private async Task StartAsync(int failures = 0)
    {
        await _producer.DeclareAsync(Cadasta);
        _store = new FlakyTaskRecordStore(_database.CreateStore(), failures);
        _monitor = new TaskMonitor(
            _monitorTransport, _store, new TaskMonitorOptions { Topology = Cadasta, ReportInterval = TimeSpan.Zero }, _logger, _time);
        _running = _monitor.RunAsync(_stop.Token);
    }

    // Waits on the monitor's own counters, then reads once: polling SQLite while the monitor writes would make
    // the writer wait for the readers (SQLite's locking), which only slows the test down.
    private async Task<TrackedTask> WaitForRecordAsync(string id, long recorded = 1)
    {
        await WaitUntilAsync(() => Monitor.Statistics.Recorded >= recorded);
        var found = await Store.FindAsync(id);
        Assert.NotNull(found);
        return found;
    }

    private async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (_running is { IsCompleted: true } running)
            {
                await running;
                Assert.Fail("The monitor stopped before the condition held.");
            }

            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold in time.");
            await Task.Delay(10);
        }
    }
}
