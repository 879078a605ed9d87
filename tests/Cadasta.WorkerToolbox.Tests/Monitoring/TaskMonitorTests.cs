using Cadasta.WorkerToolbox.Monitoring;
using Cadasta.WorkerToolbox.Routing;
using Cadasta.WorkerToolbox.Transports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Cadasta.WorkerToolbox.Tests.Monitoring;

public sealed class TaskMonitorTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly SqliteTestDatabase _database = new();
    private readonly FakeTransport _transport = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 9, 30, 0, TimeSpan.Zero));
    private readonly RecordingLogger<TaskMonitor> _logger = new();
    private readonly CancellationTokenSource _stop = new();
    private FlakyTaskRecordStore? _store;
    private TaskMonitor? _monitor;
    private Task? _running;

    private FlakyTaskRecordStore Store => _store ?? throw new InvalidOperationException("Start the monitor first.");

    private TaskMonitor Monitor => _monitor ?? throw new InvalidOperationException("Start the monitor first.");

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
        _database.Dispose();
    }

    [Fact]
    public async Task Records_every_field_of_a_real_shaped_platform_message()
    {
        Start();

        _transport.Deliver(PlatformMessages.ExportProject("e1"));
        await WaitUntilAsync(() => _transport.Acked.Count == 1);

        var found = await Store.FindAsync("e1");
        Assert.NotNull(found);
        var record = found.Record;
        Assert.Equal("export.project", record.TaskName);
        Assert.Empty(record.Args);
        Assert.Equal(["api_key", "org_slug", "output_type", "project_slug"], record.Kwargs.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("xls", record.Kwargs["output_type"]);
        Assert.Equal("e1", record.RootId);
        Assert.Null(record.ParentId);
        Assert.Equal("user123", record.CreatorId);
        Assert.Equal(42L, record.RelatedContentTypeId);
        Assert.Equal("prj123", record.RelatedObjectId);
        Assert.Equal(_time.GetUtcNow(), record.Created);
        Assert.Equal(0L, record.Options["retries"]);
        Assert.Equal("2ce21e71-0267-3616-9f45-db4e2e9b0f23", record.Options["reply_to"]);
        Assert.False(record.Options.ContainsKey("eta"));
        Assert.False(record.Options.ContainsKey("timelimit"));
        Assert.Equal(new TaskMonitorStatistics(1, 0, 0, 0), Monitor.Statistics);
        Assert.Contains(_logger.Entries, entry => entry.Level == LogLevel.Debug && entry.Message.Contains("Recorded task e1 (export.project", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_same_message_twice_records_one_task_and_acknowledges_both()
    {
        Start();

        _transport.Deliver(PlatformMessages.ExportProject("dup"));
        await WaitUntilAsync(() => _transport.Acked.Count == 1);
        _transport.Deliver(PlatformMessages.ExportProject("dup"));
        await WaitUntilAsync(() => _transport.Acked.Count == 2);

        Assert.Equal(1L, _database.Scalar("SELECT COUNT(*) FROM cadasta_task_record"));
        Assert.Equal(new TaskMonitorStatistics(1, 1, 0, 0), Monitor.Statistics);
    }

    [Fact]
    public async Task A_retry_message_with_the_same_id_keeps_the_first_record()
    {
        Start();

        _transport.Deliver(PlatformMessages.Task("r1", "msg.retry", args: "[2]"));
        await WaitUntilAsync(() => _transport.Acked.Count == 1);
        _transport.Deliver(PlatformMessages.Task("r1", "msg.retry", args: "[2]", retries: 1, eta: "\"2026-11-28T09:30:01.000000+00:00\""));
        await WaitUntilAsync(() => _transport.Acked.Count == 2);

        var record = (await Store.FindAsync("r1"))!.Record;
        Assert.Equal(0L, record.Options["retries"]);
        Assert.False(record.Options.ContainsKey("eta"));
        Assert.Equal(1L, _database.Scalar("SELECT COUNT(*) FROM cadasta_task_record"));
        Assert.Equal(new TaskMonitorStatistics(1, 1, 0, 0), Monitor.Statistics);
    }

    [Fact]
    public async Task Duplicates_inside_one_batch_record_one_task()
    {
        _transport.Deliver(PlatformMessages.Task("same", "msg.add"));
        _transport.Deliver(PlatformMessages.Task("same", "msg.add", retries: 1));
        _transport.Deliver(PlatformMessages.Task("other", "msg.add"));
        Start();

        await WaitUntilAsync(() => _transport.Acked.Count == 3);

        Assert.Equal(2L, _database.Scalar("SELECT COUNT(*) FROM cadasta_task_record"));
        Assert.Equal(new TaskMonitorStatistics(2, 1, 0, 0), Monitor.Statistics);
    }

    [Fact]
    public async Task A_malformed_message_is_logged_once_and_acknowledged_and_the_next_one_is_recorded()
    {
        Start();
        var broken = PlatformMessages.Message("{not json", """{"task": "msg.add", "id": "broken-1"}""", "{}");
        var protocol1 = PlatformMessages.Message(
            """{"task": "msg.add", "id": "v1-1", "args": [1], "kwargs": {}}""", "{}", """{"correlation_id": "v1-1"}""");

        _transport.Deliver(broken);
        _transport.Deliver(protocol1);
        _transport.Deliver(PlatformMessages.Task("good", "msg.add"));
        await WaitUntilAsync(() => _transport.Acked.Count == 3);

        Assert.Empty(_transport.Requeued);
        Assert.Equal(["good"], (await Store.ListRecentAsync(10)).Select(task => task.Record.TaskId));
        var warnings = _logger.At(LogLevel.Warning);
        Assert.Equal(2, warnings.Count);
        Assert.Contains("id=broken-1", warnings[0], StringComparison.Ordinal);
        Assert.Contains("BodyNotJson", warnings[0], StringComparison.Ordinal);
        Assert.Contains("id=v1-1", warnings[1], StringComparison.Ordinal);
        Assert.Contains("protocol 1", warnings[1], StringComparison.Ordinal);
        Assert.Equal(new TaskMonitorStatistics(1, 0, 2, 0), Monitor.Statistics);
    }

    [Fact]
    public async Task A_database_failure_leaves_the_message_unacknowledged_and_it_is_recorded_once_the_database_is_back()
    {
        Start(failures: 2);

        _transport.Deliver(PlatformMessages.ExportProject("outage"));
        await WaitUntilAsync(() => _logger.At(LogLevel.Error).Count == 1);

        // Failed once: held in backoff, neither acknowledged nor requeued while the (fake) clock stands still.
        Assert.Empty(_transport.Acked);
        Assert.Empty(_transport.Requeued);
        Assert.Equal(1, _transport.Held);
        Assert.Contains("go back to the queue in 00:00:01", _logger.At(LogLevel.Error)[0], StringComparison.Ordinal);

        await AdvanceUntilAsync(() => _transport.Acked.Count == 1);

        Assert.Equal(2, _transport.Requeued.Count);
        Assert.Equal(3, Store.Writes);
        Assert.Equal("export.project", (await Store.FindAsync("outage"))!.Record.TaskName);
        Assert.Equal(new TaskMonitorStatistics(1, 0, 0, 2), Monitor.Statistics);
        var errors = _logger.At(LogLevel.Error);
        Assert.Contains("00:00:02", errors[1], StringComparison.Ordinal);
        Assert.All(_logger.Entries.Where(entry => entry.Level == LogLevel.Error), entry => Assert.NotNull(entry.Exception));
    }

    [Fact]
    public async Task A_message_is_acknowledged_only_after_its_record_committed()
    {
        Start();
        Store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        _transport.Deliver(PlatformMessages.Task("slow", "msg.add"));
        await WaitUntilAsync(() => Store.Writes == 1);
        Assert.Empty(_transport.Acked);
        Assert.Null(await Store.FindAsync("slow"));

        Store.Gate.SetResult();
        await WaitUntilAsync(() => _transport.Acked.Count == 1);
        Assert.NotNull(await Store.FindAsync("slow"));
    }

    [Fact]
    public async Task Under_load_several_records_are_written_per_round_trip()
    {
        for (var i = 0; i < 250; i++)
        {
            _transport.Deliver(PlatformMessages.Task($"load-{i}", "msg.noop"));
        }

        Start(options: new TaskMonitorOptions { BatchSize = 100, PrefetchCount = 300, ReportInterval = TimeSpan.Zero });
        await WaitUntilAsync(() => _transport.Acked.Count == 250);

        Assert.Equal(250L, _database.Scalar("SELECT COUNT(*) FROM cadasta_task_record"));
        Assert.Equal(250, Store.BatchSizes.Sum());
        Assert.True(Store.Writes < 250, $"expected batched writes, got {Store.Writes} writes for 250 messages");
        Assert.All(Store.BatchSizes, size => Assert.InRange(size, 1, 100));
    }

    [Fact]
    public async Task Stopping_while_a_write_is_in_flight_leaves_the_message_to_the_broker()
    {
        Start();
        Store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _transport.Deliver(PlatformMessages.Task("in-flight", "msg.add"));
        await WaitUntilAsync(() => Store.Writes == 1);

        await StopAsync();

        Assert.Empty(_transport.Acked);
        Assert.Empty(_transport.Requeued);
        Assert.Equal(1, _transport.Held);
        Assert.Contains(_logger.Entries, entry => entry.Level == LogLevel.Information && entry.Message.StartsWith("Task monitor stopped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_consumer_that_stops_by_itself_fails_the_monitor()
    {
        Start();
        _transport.Deliver(PlatformMessages.Task("last", "msg.add"));
        await WaitUntilAsync(() => _transport.Acked.Count == 1);

        _transport.Complete();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _running!.WaitAsync(Patience));
        Assert.Contains("'platform.fifo' stopped delivering", error.Message, StringComparison.Ordinal);
        _running = null;
    }

    [Fact]
    public async Task Declares_the_configured_topology_and_consumes_the_configured_queue()
    {
        var topology = new Topology([new QueueDeclaration("dev-platform.fifo", new ExchangeDeclaration("task_exchange", ExchangeDeclaration.Topic), "#")]);
        Start(options: new TaskMonitorOptions { Queue = "dev-platform.fifo", Topology = topology, ReportInterval = TimeSpan.Zero });

        _transport.Deliver(PlatformMessages.Task("q", "msg.add"));
        await WaitUntilAsync(() => _transport.Acked.Count == 1);

        Assert.Equal(["dev-platform.fifo"], _transport.ConsumedQueues);
        Assert.Same(topology, Assert.Single(_transport.Declared));
    }

    [Fact]
    public async Task Logs_its_counts_periodically_at_information_level()
    {
        Start(options: new TaskMonitorOptions { ReportInterval = TimeSpan.FromMinutes(1) });
        _transport.Deliver(PlatformMessages.Task("c1", "msg.add"));
        _transport.Deliver(PlatformMessages.Task("c2", "msg.add"));
        await WaitUntilAsync(() => _transport.Acked.Count == 2);

        await AdvanceUntilAsync(
            () => _logger.At(LogLevel.Information).Any(message => message.StartsWith("Task monitor: 2 tasks recorded", StringComparison.Ordinal)),
            step: TimeSpan.FromMinutes(1));
    }

    private void Start(int failures = 0, TaskMonitorOptions? options = null)
    {
        var inner = _database.CreateStore();
        _store = new FlakyTaskRecordStore(inner, failures);
        _monitor = new TaskMonitor(_transport, _store, options ?? new TaskMonitorOptions { ReportInterval = TimeSpan.Zero }, _logger, _time);
        _running = _monitor.RunAsync(_stop.Token);
    }

    private async Task StopAsync()
    {
        if (_running is { } running)
        {
            await _stop.CancelAsync();
            await running.WaitAsync(Patience);
            _running = null;
        }
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

    // The monitor may create its backoff timer just after the test looked: keep moving the fake clock.
    private async Task AdvanceUntilAsync(Func<bool> condition, TimeSpan? step = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold in time.");
            _time.Advance(step ?? TimeSpan.FromMilliseconds(500));
            await Task.Delay(20);
        }
    }
}
