using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Producing;
using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Memory;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Cadasta.WorkerToolbox.Bench;

/// <summary>
/// One measured run against a worker that is already running: empties celery_taskmeta, sends
/// --warmup tasks and waits for them, empties it again, then sends --n msg.noop tasks — as fast as
/// possible (at most 256 sends in flight) or, with --rate, open-loop at that fixed rate — and waits
/// until every SUCCESS row is committed. Commit times come from PostgreSQL itself: a trigger on
/// celery_taskmeta NOTIFYs the task id when a row becomes SUCCESS, and a notification is delivered
/// only when its transaction commits.
/// </summary>
internal static class LoadRun
{
    private const string Channel = "bench_success";

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var n = options.Int("n", 5000);
        var rate = options.Double("rate", 0);
        var warmup = options.Int("warmup", 200);
        var pid = options.Int("pid", 0);
        var label = options.Text("label", "run");
        var config = new Config();
        var backend = config.ResultBackend ?? throw new InvalidOperationException("CELERY_RESULT_BACKEND is not set.");
        var connectionString = options.Text("db", "Host=127.0.0.1;Port=5432;Username=worker;Password=cadasta;Database=cadasta_bench");

        await using (var store = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = backend }))
        {
            await store.EnsureSchemaAsync();
        }

        await using var listener = new NpgsqlConnection(connectionString);
        await listener.OpenAsync();
        await ExecuteAsync(listener, $"""
            CREATE OR REPLACE FUNCTION bench_notify_success() RETURNS trigger LANGUAGE plpgsql AS
              $$ BEGIN PERFORM pg_notify('{Channel}', NEW.task_id); RETURN NEW; END $$;
            DROP TRIGGER IF EXISTS bench_success ON celery_taskmeta;
            CREATE TRIGGER bench_success AFTER INSERT OR UPDATE ON celery_taskmeta
              FOR EACH ROW WHEN (NEW.status = 'SUCCESS') EXECUTE FUNCTION bench_notify_success();
            LISTEN {Channel};
            """);
        var committed = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var expected = 0;
        var allCommitted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.Notification += (_, e) =>
        {
            if (committed.TryAdd(e.Payload, Stopwatch.GetTimestamp()) && committed.Count >= Volatile.Read(ref expected))
            {
                allCommitted.TrySetResult();
            }
        };
        using var stopListening = new CancellationTokenSource();
        var listening = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await listener.WaitAsync(stopListening.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception failure) when (failure is NpgsqlException or IOException or InvalidOperationException)
            {
                // The listening connection broke (e.g. PostgreSQL restarted): fail the run now, not at its timeout.
                allCommitted.TrySetException(failure);
                throw;
            }
        });

        await using var transport = TransportFactory.Create(config, new MemoryBroker(NullLogger<MemoryBroker>.Instance), NullLoggerFactory.Instance);
        var producer = new TaskProducer(config, transport);
        await producer.EnsureSetupAsync();

        async Task<(long First, long[] Sent, string[] Ids)> SendAsync(int count, double perSecond, TimeSpan timeout)
        {
            await using (var truncate = new NpgsqlConnection(connectionString))
            {
                await truncate.OpenAsync();
                await ExecuteAsync(truncate, "TRUNCATE celery_taskmeta");
            }

            committed.Clear();
            Volatile.Write(ref expected, count);
            allCommitted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var ids = Enumerable.Range(0, count).Select(_ => Guid.NewGuid().ToString()).ToArray();
            var sent = new long[count];
            var pending = new Task[count];
            using var inFlight = new SemaphoreSlim(256);
            var first = Stopwatch.GetTimestamp();
            for (var i = 0; i < count; i++)
            {
                if (perSecond > 0)
                {
                    var due = first + (long)(i / perSecond * Stopwatch.Frequency);
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                    if (wait > TimeSpan.FromMilliseconds(1.5))
                    {
                        await Task.Delay(wait - TimeSpan.FromMilliseconds(1));
                    }

                    while (Stopwatch.GetTimestamp() < due)
                    {
                        Thread.SpinWait(50);
                    }
                }
                else
                {
                    await inFlight.WaitAsync();
                }

                sent[i] = Stopwatch.GetTimestamp();
                pending[i] = SendOneAsync(producer, ids[i], perSecond > 0 ? null : inFlight);
            }

            await Task.WhenAll(pending);
            await allCommitted.Task.WaitAsync(timeout);
            return (first, sent, ids);
        }

        if (warmup > 0)
        {
            await SendAsync(warmup, 0, TimeSpan.FromMinutes(3));
        }

        var tree = pid > 0 ? new ProcessTree(pid) : null;
        var cpuBefore = tree?.CpuSeconds() ?? 0;
        var others = new[] { "beam.smp", "postgres" }.ToDictionary(name => name, ProcessTree.CpuSecondsByName);
        var selfBefore = Environment.CpuUsage.TotalTime.TotalSeconds;
        double maxRss = 0, maxPss = 0;
        var processes = 0;
        using var stopSampling = new CancellationTokenSource();
        var sampling = Task.Run(async () =>
        {
            while (tree is not null && !stopSampling.IsCancellationRequested)
            {
                var (rss, pss, count) = tree.Memory();
                maxRss = Math.Max(maxRss, rss);
                maxPss = Math.Max(maxPss, pss);
                processes = Math.Max(processes, count);
                try
                {
                    await Task.Delay(200, stopSampling.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        var (start, sentAt, taskIds) = await SendAsync(n, rate, TimeSpan.FromSeconds(120 + (n * 0.02)));
        var cpuAfter = tree?.CpuSeconds() ?? 0;
        var othersCpu = others.ToDictionary(o => o.Key, o => Math.Round(ProcessTree.CpuSecondsByName(o.Key) - o.Value, 2));
        var selfCpu = Environment.CpuUsage.TotalTime.TotalSeconds - selfBefore;
        await stopSampling.CancelAsync();
        await sampling;
        await stopListening.CancelAsync();
        await listening;
        if (committed.Count < n)
        {
            throw new InvalidOperationException($"Only {committed.Count} of {n} SUCCESS rows were committed.");
        }

        var last = committed.Values.Max();
        var wall = Stopwatch.GetElapsedTime(start, last).TotalSeconds;
        var latencies = taskIds.Select((id, i) => Stopwatch.GetElapsedTime(sentAt[i], committed[id]).TotalMilliseconds).Order().ToArray();
        var sendSeconds = Stopwatch.GetElapsedTime(start, sentAt[^1]).TotalSeconds;
        var result = new Dictionary<string, object?>
        {
            ["kind"] = "load",
            ["label"] = label,
            ["n"] = n,
            ["rate_target"] = rate,
            ["send_rate"] = Math.Round(n / Math.Max(sendSeconds, 1e-9), 1),
            ["wall_s"] = Math.Round(wall, 3),
            ["tasks_per_s"] = Math.Round(n / wall, 1),
            ["latency_p50_ms"] = Math.Round(Percentile(latencies, 0.50), 2),
            ["latency_p99_ms"] = Math.Round(Percentile(latencies, 0.99), 2),
            ["latency_max_ms"] = Math.Round(latencies[^1], 2),
            ["worker_cpu_s"] = Math.Round(cpuAfter - cpuBefore, 2),
            ["worker_cpu_s_per_1000"] = Math.Round((cpuAfter - cpuBefore) / n * 1000, 3),
            ["worker_rss_mb"] = Math.Round(maxRss, 1),
            ["worker_pss_mb"] = Math.Round(maxPss, 1),
            ["worker_processes"] = processes,
            ["rabbitmq_cpu_s"] = othersCpu["beam.smp"],
            ["postgres_cpu_s"] = othersCpu["postgres"],
            ["bench_process_cpu_s"] = Math.Round(selfCpu, 2),
            ["loadavg"] = File.ReadAllText("/proc/loadavg").Trim(),
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    private static async Task SendOneAsync(TaskProducer producer, string id, SemaphoreSlim? inFlight)
    {
        try
        {
            await producer.SendTaskAsync("msg.noop", options: new TaskOptions { TaskId = id });
        }
        finally
        {
            inFlight?.Release();
        }
    }

    private static double Percentile(double[] sorted, double q) =>
        sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
