using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.Tests.Results;
using Cadasta.WorkerToolbox.Tests.Worker.Harness;
using Cadasta.WorkerToolbox.Worker;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cadasta.WorkerToolbox.Tests.Worker;

/// <summary>
/// The runner slot is freed when a task's body ends; its outcome is stored and its message settled
/// in the background. Every guarantee of the sequential flow must still hold.
/// </summary>
public sealed class OutcomePipelineTests
{
    [Fact]
    public async Task A_runner_runs_the_next_body_while_earlier_outcomes_wait_for_the_store_and_bodies_never_exceed_concurrency()
    {
        await using var harness = new WorkerHarness();
        var backend = new GatedResultBackend(harness.Log);
        backend.Close(TaskStates.Success);
        var running = 0;
        var mostAtOnce = 0;
        harness.Registry.Register("msg.work", async () =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref mostAtOnce, now);
            await Task.Delay(2);
            Interlocked.Decrement(ref running);
        });
        var worker = harness.CreateWorker(backend, new WorkerOptions { Concurrency = 2, PrefetchMultiplier = 10 });
        await worker.StartAsync();

        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add(await harness.PublishAsync("msg.work"));
        }

        // Every body ran although not one SUCCESS has committed.
        await WorkerHarness.WaitUntilAsync(() => backend.Issued(TaskStates.Success) == 12, "all 12 outcomes issued");
        Assert.Equal(0, backend.Stored(TaskStates.Success));
        Assert.InRange(mostAtOnce, 1, 2);

        backend.Open(TaskStates.Success);
        await WorkerHarness.WaitUntilAsync(() => backend.Stored(TaskStates.Success) == 12, "all 12 outcomes stored");
        Assert.All(ids, id => Assert.Equal(TaskStates.Success, backend.Rows[id]));
    }

    [Fact]
    public async Task With_late_acks_a_message_is_acknowledged_only_after_its_outcome_committed()
    {
        await using var harness = new WorkerHarness();
        var backend = new GatedResultBackend(harness.Log);
        backend.Close(TaskStates.Success);
        harness.Registry.Register("msg.add", (long a, long b) => a + b);
        var worker = harness.CreateWorker(backend, new WorkerOptions { Concurrency = 1, PrefetchMultiplier = 4, AcksLate = true });
        await worker.StartAsync();

        var id = await harness.PublishAsync("msg.add", [1L, 2L]);
        await WorkerHarness.WaitUntilAsync(() => harness.Log.About(id).Contains($"issue SUCCESS {id}"), "the outcome issued");
        await WorkerHarness.SettleAsync();
        Assert.DoesNotContain($"ack {id}", harness.Log.About(id));

        backend.Open(TaskStates.Success);
        await WorkerHarness.WaitUntilAsync(() => harness.Log.About(id).Contains($"ack {id}"), "the ack");
        var events = harness.Log.About(id).ToList();
        Assert.True(events.IndexOf($"store SUCCESS {id}") < events.IndexOf($"ack {id}"), string.Join(", ", events));
    }

    [Fact]
    public async Task The_pending_outcome_limit_stops_the_runners_and_leaves_prefetched_tasks_unstarted_and_unacknowledged()
    {
        await using var harness = new WorkerHarness();
        var backend = new GatedResultBackend(harness.Log);
        backend.Close(TaskStates.Success);
        var bodies = 0;
        harness.Registry.Register("msg.count", () => Interlocked.Increment(ref bodies));
        var worker = harness.CreateWorker(backend, new WorkerOptions { Concurrency = 1, PrefetchMultiplier = 10 } with { PendingOutcomeLimit = 1 });
        await worker.StartAsync();

        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await harness.PublishAsync("msg.count"));
        }

        await WorkerHarness.WaitUntilAsync(() => harness.Count("msg") == 0, "all five prefetched");
        await WorkerHarness.WaitUntilAsync(() => backend.Issued(TaskStates.Success) == 2, "two outcomes pending");
        await WorkerHarness.SettleAsync();

        // One running slot plus one pending outcome: two tasks started (and, acking early, were acknowledged).
        Assert.Equal(2, Volatile.Read(ref bodies));
        Assert.Equal(2, harness.Log.Entries.Count(e => e.StartsWith("ack ", StringComparison.Ordinal)));
        Assert.Equal(3, ids.Count(id => harness.Log.About(id).Count == 0));

        backend.Open(TaskStates.Success);
        await WorkerHarness.WaitUntilAsync(() => backend.Stored(TaskStates.Success) == 5, "the other three ran");
        Assert.Equal(5, Volatile.Read(ref bodies));
    }

    [Fact]
    public async Task When_the_store_may_reorder_writes_the_outcome_is_written_only_after_started_committed()
    {
        await using var harness = new WorkerHarness();
        var backend = new GatedResultBackend(harness.Log, keepsWriteOrder: false);
        backend.Close(TaskStates.Started);
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Registry.Register("msg.quick", () => ran.TrySetResult());
        var worker = harness.CreateWorker(backend, new WorkerOptions { Concurrency = 1, PrefetchMultiplier = 1 });
        await worker.StartAsync();

        var id = await harness.PublishAsync("msg.quick");
        await ran.Task;
        await WorkerHarness.SettleAsync();

        // The body did not wait for STARTED; the outcome does.
        Assert.Equal([$"ack {id}", $"issue STARTED {id}"], harness.Log.About(id));
        backend.Open(TaskStates.Started);
        await WorkerHarness.WaitUntilAsync(() => harness.Log.About(id).Contains($"store SUCCESS {id}"), "SUCCESS stored");
        Assert.Equal([$"ack {id}", $"issue STARTED {id}", $"store STARTED {id}", $"issue SUCCESS {id}", $"store SUCCESS {id}"], harness.Log.About(id));
        Assert.Equal(TaskStates.Success, backend.Rows[id]);
    }

    [Fact]
    public async Task When_the_store_keeps_write_order_the_outcome_is_queued_behind_started_and_one_batch_writes_only_the_outcome()
    {
        await using var harness = new WorkerHarness();
        var database = new GatedResultDatabase();
        await using var store = new DatabaseResultStore(database, new ResultStoreOptions { BackendUrl = "db+sqlite:///unused.db" }, NullLogger.Instance, TimeProvider.System);
        var results = new ResultStoreBackend(store);
        Assert.True(results.KeepsWriteOrder);
        harness.Registry.Register("msg.add", (long a, long b) => a + b);
        var worker = harness.CreateWorker(results, new WorkerOptions { Concurrency = 1, PrefetchMultiplier = 1, AcksLate = true });

        // Hold the store's write loop on an unrelated row so that the task's writes queue up behind it.
        database.Hold();
        var blocker = store.StoreAsync(TaskResult.Success("blocker", 0L));
        await WorkerHarness.WaitUntilAsync(() => database.Waiting, "the store's loop busy");
        await worker.StartAsync();
        var id = await harness.PublishAsync("msg.add", [2L, 3L]);
        await WorkerHarness.WaitUntilAsync(() => store.Coalescer.Queued >= 2, "STARTED and SUCCESS queued");
        await WorkerHarness.SettleAsync();
        Assert.DoesNotContain($"ack {id}", harness.Log.About(id));

        database.Release();
        await blocker;
        await WorkerHarness.WaitUntilAsync(() => harness.Log.About(id).Contains($"ack {id}"), "the late ack");

        // Both writes were in one batch: only the final state was written, once, and only then acked.
        var written = database.Batches.SelectMany(batch => batch).Where(row => row.TaskId == id).Select(row => row.Status).ToList();
        Assert.Equal([TaskStates.Success], written);
    }

    [Fact]
    public async Task A_graceful_stop_waits_for_pending_outcome_writes_and_acks()
    {
        await using var harness = new WorkerHarness();
        var backend = new GatedResultBackend(harness.Log);
        backend.Close(TaskStates.Success);
        harness.Registry.Register("msg.add", (long a, long b) => a + b);
        var worker = harness.CreateWorker(backend, new WorkerOptions { Concurrency = 1, PrefetchMultiplier = 2, AcksLate = true });
        await worker.StartAsync();
        var id = await harness.PublishAsync("msg.add", [1L, 1L]);
        await WorkerHarness.WaitUntilAsync(() => harness.Log.About(id).Contains($"issue SUCCESS {id}"), "the outcome issued");

        var stopping = worker.StopAsync(TimeSpan.FromMinutes(1));
        await WorkerHarness.SettleAsync();
        Assert.False(stopping.IsCompleted);

        backend.Open(TaskStates.Success);
        await stopping;
        Assert.Equal([$"issue STARTED {id}", $"store STARTED {id}", $"issue SUCCESS {id}", $"store SUCCESS {id}", $"ack {id}"], harness.Log.About(id));
        Assert.Equal(0, harness.Count("msg"));
    }

    [Fact]
    public async Task With_late_acks_a_database_outage_never_acknowledges_the_message()
    {
        await using var harness = new WorkerHarness();
        var backend = new GatedResultBackend(harness.Log)
        {
            FailWith = (_, state) => state == TaskStates.Success ? new ResultStoreException("database down") : null,
        };
        harness.Registry.Register("msg.add", (long a, long b) => a + b);
        var worker = harness.CreateWorker(backend, new WorkerOptions { Concurrency = 1, PrefetchMultiplier = 1, AcksLate = true });
        await worker.StartAsync();

        var id = await harness.PublishAsync("msg.add", [1L, 1L]);
        await WorkerHarness.WaitUntilAsync(() => harness.Log.About(id).Contains($"requeue {id}"), "the requeue");

        Assert.DoesNotContain($"ack {id}", harness.Log.About(id));
        await worker.StopAsync(TimeSpan.Zero);
    }

    [Fact]
    public async Task An_outcome_still_unwritten_when_the_grace_period_ends_is_never_acknowledged()
    {
        await using var harness = new WorkerHarness();
        var backend = new GatedResultBackend(harness.Log);
        backend.Close(TaskStates.Success);
        harness.Registry.Register("msg.add", (long a, long b) => a + b);
        var worker = harness.CreateWorker(backend, new WorkerOptions { Concurrency = 1, PrefetchMultiplier = 1, AcksLate = true });
        await worker.StartAsync();
        var id = await harness.PublishAsync("msg.add", [1L, 1L]);
        await WorkerHarness.WaitUntilAsync(() => harness.Log.About(id).Contains($"issue SUCCESS {id}"), "the outcome issued");

        var stopping = worker.StopAsync(TimeSpan.FromSeconds(30));
        await harness.AdvanceUntilAsync(() => stopping.IsCompleted, TimeSpan.FromSeconds(30), "the grace period to end");
        await stopping;
        backend.Open(TaskStates.Success);
        await WorkerHarness.SettleAsync();

        Assert.DoesNotContain(harness.Log.About(id), e => e.StartsWith("ack", StringComparison.Ordinal) || e.StartsWith("reject", StringComparison.Ordinal) || e.StartsWith("requeue", StringComparison.Ordinal));
        Assert.Equal(1, harness.Count("msg"));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
