using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.IntegrationTests.Monitoring;
using Cadasta.WorkerToolbox.Monitoring;
using Cadasta.WorkerToolbox.Transports;
using Xunit.Abstractions;

namespace Cadasta.WorkerToolbox.IntegrationTests.Reliability.Hostile;

/// <summary>
/// The fuzzer against the real demo worker process (docs/reliability.md, "Hostile input"): at
/// least 1,000 malformed messages, sent raw, interleaved with good tasks. The worker keeps running,
/// every good task succeeds, every bad message ends as a result row or in the dead-letter queue with
/// one log line, nothing comes back, memory stays bounded, and the pickle never runs.
/// </summary>
public sealed class HostileInputTests(ITestOutputHelper output)
{
    /// <summary>The peak the worker's resident memory must stay under, 10 MiB bodies included.</summary>
    private const long MemoryBoundKiB = 512 * 1024;

    [Fact]
    public async Task Rabbitmq_worker_and_monitor_survive_the_fuzzer_and_account_for_every_message()
    {
        await using var broker = new AmqpHostileBroker();
        var table = $"hostile_tasks_{Guid.NewGuid():N}";
        TaskMonitor? monitor = null;
        Task? monitoring = null;
        using var stopMonitor = new CancellationTokenSource();
        ITransport? monitorTransport = null;
        try
        {
            var report = await HostileRun.RunAsync(broker, output, oversizeBytes: 10 * 1024 * 1024, whileRunning: async _ =>
            {
                // The platform's monitor reads the copies platform.fifo gets of every message, bad ones included.
                var config = new Config(new Dictionary<string, object?> { ["broker_url"] = broker.BrokerUrl, ["QUEUES"] = new[] { "msg" } }, new Dictionary<string, string>());
                monitorTransport = TransportFactory.Create(config);
                var store = await MonitorDatabase.CreateStoreAsync(table);
                monitor = new TaskMonitor(monitorTransport, store, new TaskMonitorOptions { Queue = config.PlatformQueueName, Topology = config.CreateTopology() });
                monitoring = Task.Run(() => monitor.RunAsync(stopMonitor.Token));
                await WaitAsync(async () => await broker.DepthAsync("platform.fifo") == 0, "the monitor to empty platform.fifo");
            });

            report.AssertEveryMessageAccountedFor();
            Assert.True(report.PeakRssKiB < MemoryBoundKiB, $"The worker's resident memory peaked at {report.PeakRssKiB / 1024} MiB.");

            Assert.False(monitoring!.IsCompleted, "The monitor stopped: " + monitoring.Exception);
            var good = report.Messages.Where(m => m.Kind == "good").Select(m => m.TaskId!).ToArray();
            var recorded = (long)(await MonitorDatabase.ScalarAsync($"SELECT count(*) FROM {table} WHERE task_id = ANY(@ids)", ("ids", good)))!;
            Assert.Equal(good.Length, recorded);
            Assert.True(monitor!.Statistics.Malformed > 0, "The monitor saw no malformed message.");
            output.WriteLine($"monitor: {monitor.Statistics.Recorded} recorded, {monitor.Statistics.Malformed} malformed acknowledged, {good.Length} good tasks all recorded");
        }
        finally
        {
            await stopMonitor.CancelAsync();
            if (monitoring is not null)
            {
                await monitoring;
            }

            if (monitorTransport is not null)
            {
                await monitorTransport.DisposeAsync();
            }

            await MonitorDatabase.ScalarAsync($"DROP TABLE IF EXISTS {table}");
        }
    }

    [Fact]
    public async Task Sqs_worker_survives_the_fuzzer_and_accounts_for_every_message()
    {
        await using var broker = new SqsHostileBroker();

        // SQS carries at most 256 KiB: the size limit is lowered so that bodies of 100 KB are the oversized ones.
        var report = await HostileRun.RunAsync(broker, output, oversizeBytes: 100_000, new Dictionary<string, string> { ["CELERY_MAX_MESSAGE_BYTES"] = "65536" });

        report.AssertEveryMessageAccountedFor();
        Assert.True(report.PeakRssKiB < MemoryBoundKiB, $"The worker's resident memory peaked at {report.PeakRssKiB / 1024} MiB.");
    }

    private static async Task WaitAsync(Func<Task<bool>> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for " + what);
            await Task.Delay(250);
        }
    }
}
