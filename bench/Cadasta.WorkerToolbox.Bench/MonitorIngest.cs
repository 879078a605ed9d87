using System.Diagnostics;
using System.Globalization;
using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Monitoring;
using Cadasta.WorkerToolbox.Producing;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Memory;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Cadasta.WorkerToolbox.Bench;

/// <summary>
/// The task monitor's ingest rate: N msg.noop tasks are sent first (no worker runs: every one waits on
/// platform.fifo, bound with #), then a <see cref="TaskMonitor"/> (default options) starts in this process
/// and drains them; from its start to its N-th committed record (<see cref="TaskMonitor.Statistics"/>
/// counts a record once its batch committed). CPU: this process (the monitor is all it runs then),
/// RabbitMQ and PostgreSQL over the same span.
/// </summary>
internal static class MonitorIngest
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        var n = options.Int("n", 5000);
        var connectionString = options.Text("db", "Host=127.0.0.1;Port=5432;Username=worker;Password=cadasta;Database=cadasta_bench");
        var config = new Config();
        var backend = config.ResultBackend ?? throw new InvalidOperationException("CELERY_RESULT_BACKEND is not set.");
        await using var transport = TransportFactory.Create(config, new MemoryBroker(NullLogger<MemoryBroker>.Instance), NullLoggerFactory.Instance);
        await using var store = TaskRecordStore.Create(backend);
        await store.EnsureSchemaAsync();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var truncate = new NpgsqlCommand($"TRUNCATE {TaskRecordStore.TableName}", connection);
            await truncate.ExecuteNonQueryAsync();
        }

        var producer = new TaskProducer(config, transport);
        await producer.EnsureSetupAsync();
        using (var inFlight = new SemaphoreSlim(256))
        {
            var sends = new List<Task>(n);
            for (var i = 0; i < n; i++)
            {
                await inFlight.WaitAsync();
                sends.Add(SendOneAsync(producer, inFlight));
            }

            await Task.WhenAll(sends);
        }

        var monitor = new TaskMonitor(transport, store, new TaskMonitorOptions { Queue = config.PlatformQueueName });
        var others = new[] { "beam.smp", "postgres" }.ToDictionary(name => name, ProcessTree.CpuSecondsByName);
        var cpuBefore = Environment.CpuUsage.TotalTime.TotalSeconds;
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var running = Task.Run(() => monitor.RunAsync(stop.Token));
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60 + (n * 0.02))))
        {
            while (monitor.Statistics.Recorded + monitor.Statistics.AlreadyRecorded < n)
            {
                if (running.IsCompleted)
                {
                    await running;
                    throw new InvalidOperationException("The monitor stopped before recording every task.");
                }

                await Task.Delay(2, timeout.Token);
            }
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = Environment.CpuUsage.TotalTime.TotalSeconds - cpuBefore;
        var othersCpu = others.ToDictionary(o => o.Key, o => ProcessTree.CpuSecondsByName(o.Key) - o.Value);
        await stop.CancelAsync();
        await running;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"kind\":\"monitor\",\"label\":\"monitor-amqp\",\"n\":{n},\"wall_s\":{seconds:F3},\"records_per_s\":{n / seconds:F1},\"monitor_cpu_s\":{cpu:F2},\"monitor_cpu_s_per_1000\":{cpu / n * 1000:F3},\"rabbitmq_cpu_s\":{othersCpu["beam.smp"]:F2},\"postgres_cpu_s\":{othersCpu["postgres"]:F2},\"loadavg\":\"{File.ReadAllText("/proc/loadavg").Trim()}\"}}"));
        return 0;
    }

    private static async Task SendOneAsync(TaskProducer producer, SemaphoreSlim inFlight)
    {
        try
        {
            await producer.SendTaskAsync("msg.noop");
        }
        finally
        {
            inFlight.Release();
        }
    }
}
