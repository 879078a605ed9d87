using Cadasta.WorkerToolbox.Results;
using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Tests.Results;

public class ResultWriteCoalescerTests
{
    private readonly CountingTimeProvider clock = new();
    private readonly FakeResultDatabase database = new();
    private readonly ListLogger logger = new();

    private readonly ResultStoreOptions options = new()
    {
        BackendUrl = "db+postgresql://worker:cadasta@127.0.0.1:1/cadasta",
        MaxWriteAttempts = 4,
        RetryInitialDelay = TimeSpan.FromSeconds(1),
        RetryMaxDelay = TimeSpan.FromSeconds(3),
    };

    [Fact]
    public async Task Transient_failures_are_retried_with_backoff_until_the_write_commits()
    {
        var failures = 2;
        database.FailWith = _ => Interlocked.Decrement(ref failures) >= 0 ? new TimeoutException("connection refused") : null;
        await using var store = new DatabaseResultStore(database, options, logger, clock);

        var write = store.StoreAsync(TaskResult.Success("t", 1L));
        await clock.WaitForTimersAsync(1);
        Assert.Equal(1, database.Attempts);
        Assert.False(write.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        await clock.WaitForTimersAsync(2);
        Assert.Equal(2, database.Attempts);
        Assert.False(write.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1999));
        await Task.Delay(50);
        Assert.Equal(2, database.Attempts);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await write;

        Assert.Equal(3, database.Attempts);
        Assert.True(database.Rows.ContainsKey("t"));
        var warnings = logger.Lines.Where(line => line.Level == LogLevel.Warning).Select(line => line.Message).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains("connection refused", warnings[0], StringComparison.Ordinal);
        Assert.Contains("retrying 1 result(s) in 00:00:01", warnings[0], StringComparison.Ordinal);
        Assert.Contains("in 00:00:02", warnings[1], StringComparison.Ordinal);
        Assert.DoesNotContain(logger.Lines, line => line.Message.Contains("cadasta@", StringComparison.Ordinal));
    }

    [Fact]
    public async Task After_the_last_attempt_the_store_throws_and_says_why_and_never_reports_success()
    {
        database.FailWith = _ => new TimeoutException("connection refused");
        await using var store = new DatabaseResultStore(database, options, logger, clock);

        var write = store.StoreAsync(TaskResult.Success("lost", 1L));
        for (var attempt = 1; attempt < options.MaxWriteAttempts; attempt++)
        {
            await clock.WaitForTimersAsync(attempt);
            clock.Advance(options.RetryMaxDelay);
        }

        var error = await Assert.ThrowsAsync<ResultStoreException>(() => write);
        Assert.Contains("lost", error.Message, StringComparison.Ordinal);
        Assert.Contains("connection refused", error.Message, StringComparison.Ordinal);
        Assert.Equal(options.MaxWriteAttempts, database.Attempts);
        Assert.Contains(logger.Lines, line => line.Level == LogLevel.Error && line.Message.Contains("gave up on 1 result(s) after 4 attempt(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancelling_while_the_database_is_down_throws_and_stops_the_retries()
    {
        database.FailWith = _ => new TimeoutException("connection refused");
        await using var store = new DatabaseResultStore(database, options, logger, clock);
        using var cancellation = new CancellationTokenSource();

        var write = store.StoreAsync(TaskResult.Success("c", 1L), cancellation.Token);
        await clock.WaitForTimersAsync(1);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write);
        clock.Advance(TimeSpan.FromSeconds(1));
        await WaitUntilAsync(() => database.Attempts == 2);
        clock.Advance(TimeSpan.FromSeconds(10));
        await Task.Delay(50);
        Assert.Equal(2, database.Attempts);
    }

    [Fact]
    public async Task A_non_transient_failure_is_not_retried()
    {
        database.FailWith = _ => new InvalidOperationException("value too long for type character varying(155)");
        await using var store = new DatabaseResultStore(database, options, logger, clock);

        var error = await Assert.ThrowsAsync<ResultStoreException>(() => store.StoreAsync(TaskResult.Success("x", 1L)));

        Assert.Equal(1, database.Attempts);
        Assert.Contains("value too long", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispose_writes_what_was_accepted_before_returning()
    {
        var store = new DatabaseResultStore(database, options, logger, clock);
        var writes = Enumerable.Range(0, 100).Select(index => store.StoreAsync(TaskResult.Success($"d-{index}", (long)index))).ToArray();

        await store.DisposeAsync();

        await Task.WhenAll(writes);
        Assert.Equal(100, database.Rows.Count);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.StoreAsync(TaskResult.Success("late", 1L)));
    }

    [Fact]
    public async Task Writes_of_one_task_in_one_batch_are_written_once_as_the_last_and_complete_together()
    {
        var gated = new GatedResultDatabase();
        await using var store = new DatabaseResultStore(gated, options, logger, clock);
        gated.Hold();
        var blocker = store.StoreAsync(TaskResult.Success("blocker", 0L));
        await WaitUntilAsync(() => gated.Waiting);

        var started = store.StoreAsync(new TaskResult { TaskId = "t", State = TaskStates.Started });
        var other = store.StoreAsync(TaskResult.Success("u", 2L));
        var success = store.StoreAsync(TaskResult.Success("t", 1L));
        Assert.False(started.IsCompleted);
        gated.Release();
        await Task.WhenAll(blocker, started, other, success);

        var batch = gated.Batches.Last();
        Assert.Equal([("t", TaskStates.Success), ("u", TaskStates.Success)], batch.Select(row => (row.TaskId, row.Status)));
    }

    [Fact]
    public async Task A_superseded_write_fails_with_the_write_that_replaced_it()
    {
        var gated = new GatedResultDatabase();
        await using var store = new DatabaseResultStore(gated, options, logger, clock);
        gated.Hold();
        var blocker = store.StoreAsync(TaskResult.Success("blocker", 0L));
        await WaitUntilAsync(() => gated.Waiting);

        var started = store.StoreAsync(new TaskResult { TaskId = "t", State = TaskStates.Started });
        var success = store.StoreAsync(TaskResult.Success("t", 1L));
        gated.FailWith = rows => rows.Any(row => row.TaskId == "t") ? new InvalidOperationException("constraint violated") : null;
        gated.Release();
        await blocker;

        Assert.Contains("constraint violated", (await Assert.ThrowsAsync<ResultStoreException>(() => success)).Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ResultStoreException>(() => started);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        // Waits for the background writer to reach a point; not a timing assertion (gives up only after 10 s).
        for (var waited = 0; !condition(); waited += 5)
        {
            Assert.True(waited < 10_000, "the writer never got there");
            await Task.Delay(5);
        }
    }
}
