using System.Diagnostics;
using Cadasta.WorkerToolbox.Results;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Cadasta.WorkerToolbox.IntegrationTests.Results;

/// <summary>Batching, concurrency and failure behaviour against the real PostgreSQL.</summary>
public sealed class PostgresResultWriteTests
{
    private readonly ITestOutputHelper output;

    public PostgresResultWriteTests(ITestOutputHelper output)
    {
        ResultPostgres.RequireRunning();
        this.output = output;
    }

    [Fact]
    public async Task A_thousand_concurrent_results_all_commit_in_few_round_trips()
    {
        var prefix = ResultPostgres.NewTaskId("batch");
        await using var store = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = ResultPostgres.Url });
        await store.EnsureSchemaAsync();
        await store.StoreAsync(TaskResult.Success(prefix + "-warmup", 0L));

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 1000).Select(index => Task.Run(() => store.StoreAsync(TaskResult.Success($"{prefix}-{index}", (long)index)))));
        clock.Stop();

        // For comparison only: the same load with batching switched off (one row per round trip).
        var unbatchedPrefix = ResultPostgres.NewTaskId("unbatched");
        var unbatchedClock = new Stopwatch();
        await using (var unbatched = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = ResultPostgres.Url, MaxBatchSize = 1 }))
        {
            await unbatched.StoreAsync(TaskResult.Success(unbatchedPrefix + "-warmup", 0L));
            unbatchedClock.Start();
            await Task.WhenAll(Enumerable.Range(0, 1000).Select(index => Task.Run(() => unbatched.StoreAsync(TaskResult.Success($"{unbatchedPrefix}-{index}", (long)index)))));
            unbatchedClock.Stop();
        }

        Assert.Equal(1000L, await ResultPostgres.ScalarAsync($"SELECT count(*) FROM celery_taskmeta WHERE task_id LIKE '{prefix}-%' AND task_id <> '{prefix}-warmup' AND status = 'SUCCESS'"));
        Assert.Equal(999L, (await store.ReadAsync($"{prefix}-999"))!.Value);
        Assert.True(store.Coalescer.LargestBatch > 1);
        // Informational only (not asserted): rows per second and batches on this machine.
        var report = $"1000 concurrent StoreAsync: {clock.Elapsed.TotalMilliseconds:F0} ms = {1000 / clock.Elapsed.TotalSeconds:F0} rows/s in {store.Coalescer.BatchesWritten - 1} batches (largest {store.Coalescer.LargestBatch}); "
            + $"unbatched: {unbatchedClock.Elapsed.TotalMilliseconds:F0} ms = {1000 / unbatchedClock.Elapsed.TotalSeconds:F0} rows/s";
        output.WriteLine(report);
        await File.AppendAllTextAsync(Path.Combine(Path.GetTempPath(), "cadasta-results-throughput.txt"), $"{DateTime.UtcNow:O} {report}\n");
    }

    [Fact]
    public async Task Two_workers_storing_the_same_task_ids_leave_one_row_each_and_no_errors()
    {
        var prefix = ResultPostgres.NewTaskId("race");
        await using var first = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = ResultPostgres.Url, MaxBatchSize = 16 });
        await using var second = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = ResultPostgres.Url, MaxBatchSize = 16 });

        async Task Worker(DatabaseResultStore store, string name)
        {
            // Descending for one worker, ascending for the other: the worst order for row locks.
            var ids = Enumerable.Range(0, 200).Select(index => $"{prefix}-{index:D3}");
            ids = name == "a" ? ids : ids.Reverse();
            await Task.WhenAll(ids.Select(async id =>
            {
                await store.StoreAsync(TaskResult.Started(id, 1, "celery@" + name));
                await store.StoreAsync(TaskResult.Success(id, name));
            }));
        }

        await Task.WhenAll(Task.Run(() => Worker(first, "a")), Task.Run(() => Worker(second, "b")));

        Assert.Equal(200L, await ResultPostgres.ScalarAsync($"SELECT count(DISTINCT task_id) FROM celery_taskmeta WHERE task_id LIKE '{prefix}-%'"));
        Assert.Equal(200L, await ResultPostgres.ScalarAsync($"SELECT count(*) FROM celery_taskmeta WHERE task_id LIKE '{prefix}-%'"));
        Assert.Equal(0L, await ResultPostgres.ScalarAsync($"SELECT count(*) FROM celery_taskmeta WHERE task_id LIKE '{prefix}-%' AND (status <> 'SUCCESS' OR date_done IS NULL)"));
        var last = (await first.ReadAsync($"{prefix}-000"))!.Value;
        Assert.Contains(last, new object[] { "a", "b" });
    }

    [Fact]
    public async Task A_later_write_replaces_the_earlier_one()
    {
        var taskId = ResultPostgres.NewTaskId("later-wins");
        await using var store = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = ResultPostgres.Url });

        await store.StoreAsync(TaskResult.Success(taskId, "first"));
        await store.StoreAsync(TaskResult.Failure(taskId, new TaskError("ValueError", "builtins", ["second"]), "tb"));

        var row = (await store.ReadAsync(taskId))!;
        Assert.Equal((TaskStates.Failure, "second"), (row.State, row.Error!.Message));
        Assert.Equal(1L, await ResultPostgres.ScalarAsync($"SELECT count(*) FROM celery_taskmeta WHERE task_id = '{taskId}'"));
    }

    [Fact]
    public async Task A_row_postgres_rejects_fails_alone_and_the_rest_of_its_batch_is_stored()
    {
        var prefix = ResultPostgres.NewTaskId("reject");
        await using var store = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = ResultPostgres.Url });
        await store.EnsureSchemaAsync();
        var tooLong = prefix + new string('x', 200); // task_id is VARCHAR(155)

        var writes = Enumerable.Range(0, 40).Select(index => index == 20 ? tooLong : $"{prefix}-{index}")
            .Select(id => (Id: id, Write: store.StoreAsync(TaskResult.Success(id, 1L)))).ToList();
        foreach (var (id, write) in writes)
        {
            if (id == tooLong)
            {
                var error = await Assert.ThrowsAsync<ResultStoreException>(() => write);
                Assert.Contains("22001", error.Message, StringComparison.Ordinal);
            }
            else
            {
                await write;
            }
        }

        Assert.Equal(39L, await ResultPostgres.ScalarAsync($"SELECT count(*) FROM celery_taskmeta WHERE task_id LIKE '{prefix}-%'"));
    }

    [Fact]
    public async Task Date_done_of_each_step_is_null_or_set_exactly_as_celery_leaves_it()
    {
        string[][] steps =
        [
            ["started", "{'pid': 1, 'hostname': 'h'}"],
            ["started", "{'pid': 2, 'hostname': 'h'}"],
            ["retry", "KeyError('k')"],
            ["started", "{'pid': 1, 'hostname': 'h'}"],
            ["done", "3"],
        ];
        var theirs = ResultPostgres.NewTaskId("celery-steps");
        var ours = ResultPostgres.NewTaskId("our-steps");
        await using var store = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = ResultPostgres.Url });
        var pattern = new List<(bool Celery, bool Ours)>();
        foreach (var step in steps)
        {
            await ResultPeer.WriteAsync(ResultPostgres.Url, theirs, step[0], step[1], step[0] == "retry" ? "tb" : null);
            await store.StoreAsync(step[0] switch
            {
                "started" => TaskResult.Started(ours, step[1].Contains("'pid': 2", StringComparison.Ordinal) ? 2 : 1, "h"),
                "retry" => TaskResult.Retry(ours, new TaskError("KeyError", "builtins", ["k"]), "tb"),
                _ => TaskResult.Success(ours, 3L),
            });
            pattern.Add((
                await ResultPostgres.ScalarAsync($"SELECT date_done FROM celery_taskmeta WHERE task_id = '{theirs}'") is not null,
                await ResultPostgres.ScalarAsync($"SELECT date_done FROM celery_taskmeta WHERE task_id = '{ours}'") is not null));
        }

        output.WriteLine(string.Join(", ", pattern));
        Assert.All(pattern, step => Assert.Equal(step.Celery, step.Ours));
        Assert.Equal([false, true, false, true, true], pattern.Select(step => step.Celery));
    }

    [Fact]
    public async Task An_unreachable_database_is_retried_then_reported_and_never_reported_stored()
    {
        var logger = new CollectingLogger();
        var options = new ResultStoreOptions
        {
            // Port 1 on loopback: nothing listens, connections are refused at once.
            BackendUrl = "db+postgresql://worker:n0t-logged@127.0.0.1:1/cadasta",
            MaxWriteAttempts = 3,
            RetryInitialDelay = TimeSpan.FromMilliseconds(50),
            RetryMaxDelay = TimeSpan.FromMilliseconds(100),
        };
        await using var store = DatabaseResultStore.Create(options, logger, TimeProvider.System);

        var error = await Assert.ThrowsAsync<ResultStoreException>(() => store.StoreAsync(TaskResult.Success("unreachable", 1L)));

        output.WriteLine(error.Message);
        foreach (var line in logger.Lines)
        {
            output.WriteLine(line);
        }

        Assert.Contains("unreachable", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, logger.Lines.Count(line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("retrying 1 result(s)", StringComparison.Ordinal)));
        Assert.Contains(logger.Lines, line => line.StartsWith("Error", StringComparison.Ordinal) && line.Contains("gave up on 1 result(s) after 3 attempt(s)", StringComparison.Ordinal));
        Assert.All(logger.Lines, line => Assert.Contains("127.0.0.1:1", line, StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Lines, line => line.Contains("n0t-logged", StringComparison.Ordinal));
        Assert.DoesNotContain("n0t-logged", error.Message, StringComparison.Ordinal);
    }

    private sealed class CollectingLogger : ILogger
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
    }
}
