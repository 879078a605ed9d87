using System.Collections.Concurrent;
using Cadasta.WorkerToolbox.Tests.Worker.Harness;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Worker;

namespace Cadasta.WorkerToolbox.Tests.Worker;

public sealed class WorkerRuntimeTests
{
    private static Dictionary<string, object?> Sig(string task, IReadOnlyList<object?>? args = null, bool immutable = false, Dictionary<string, object?>? options = null) => new()
    {
        ["task"] = task,
        ["args"] = args?.ToList() ?? [],
        ["kwargs"] = new Dictionary<string, object?>(),
        ["options"] = options ?? [],
        ["subtask_type"] = null,
        ["immutable"] = immutable,
    };

    [Fact]
    public async Task A_task_runs_and_its_result_is_stored_after_started()
    {
        await using var harness = new WorkerHarness();
        harness.Registry.Register("msg.add", (long a, long b) => a + b);
        await harness.StartAsync();

        var id = await harness.PublishAsync("msg.add", [2L, 3L]);

        var stored = await harness.WaitForStateAsync(id, "SUCCESS");
        Assert.Equal(5L, stored.Value);
        Assert.Equal(["STARTED", "SUCCESS"], harness.Results.History(id));
    }

    [Fact]
    public async Task Started_state_carries_pid_and_hostname()
    {
        await using var harness = new WorkerHarness();
        var started = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        harness.Registry.Register("msg.wait", async () => { started.SetResult(); await release.Task; });
        harness.Options = harness.Options with { Hostname = "celery@unit" };
        await harness.StartAsync();

        var id = await harness.PublishAsync("msg.wait");
        await started.Task;

        // The body does not wait for the STARTED commit (it is pipelined): wait for it here.
        var stored = await harness.WaitForStateAsync(id, "STARTED");
        Assert.Equal("STARTED", stored.State);
        var info = Assert.IsType<Dictionary<string, object?>>(stored.Value);
        Assert.Equal((long)Environment.ProcessId, info["pid"]);
        Assert.Equal("celery@unit", info["hostname"]);
        release.SetResult();
        await harness.WaitForStateAsync(id, "SUCCESS");
    }

    [Fact]
    public async Task Early_ack_happens_when_the_task_starts_before_anything_is_stored()
    {
        await using var harness = new WorkerHarness();
        harness.Registry.Register("msg.add", (long a, long b) => a + b);
        await harness.StartAsync();

        var id = await harness.PublishAsync("msg.add", [1L, 1L]);
        await harness.WaitForStateAsync(id, "SUCCESS");

        Assert.Equal([$"ack {id}", $"store STARTED {id}", $"store SUCCESS {id}"], harness.Log.About(id));
    }

    [Fact]
    public async Task Late_ack_happens_only_after_the_outcome_is_stored()
    {
        await using var harness = new WorkerHarness();
        harness.Registry.Register("msg.add", (long a, long b) => a + b);
        harness.Registry.Register("msg.fail", object? (string message) => throw new PythonException("ValueError", message));
        harness.Options = harness.Options with { AcksLate = true };
        await harness.StartAsync();

        var ok = await harness.PublishAsync("msg.add", [1L, 1L]);
        var failed = await harness.PublishAsync("msg.fail", ["boom"]);
        await WorkerHarness.WaitUntilAsync(() => harness.Log.About(failed).Contains($"ack {failed}"), "the failed task's ack");

        Assert.Equal([$"store STARTED {ok}", $"store SUCCESS {ok}", $"ack {ok}"], harness.Log.About(ok));
        Assert.Equal([$"store STARTED {failed}", $"store FAILURE {failed}", $"ack {failed}"], harness.Log.About(failed));
    }

    [Fact]
    public async Task Late_acks_without_acks_on_failure_reject_a_failed_task_after_storing_it()
    {
        await using var harness = new WorkerHarness();
        harness.Registry.Register("msg.fail", object? (string message) => throw new PythonException("ValueError", message));
        harness.Options = harness.Options with { AcksLate = true, AcksOnFailureOrTimeout = false };
        await harness.StartAsync();

        var failed = await harness.PublishAsync("msg.fail", ["boom"]);
        await WorkerHarness.WaitUntilAsync(() => harness.Log.About(failed).Contains($"reject {failed}"), "the reject");

        Assert.Equal([$"store STARTED {failed}", $"store FAILURE {failed}", $"reject {failed}"], harness.Log.About(failed));
        Assert.Equal(0, harness.Count("msg"));
    }

    [Fact]
    public async Task Binding_errors_are_stored_as_type_error_failures_with_pythons_message()
    {
        await using var harness = new WorkerHarness();
        harness.Registry.Register("msg.add", (long a, long b) => a + b);
        await harness.StartAsync();

        var missing = await harness.PublishAsync("msg.add", [1L]);
        var extra = await harness.PublishAsync("msg.add", [1L, 2L, 3L]);
        var unexpected = await harness.PublishAsync("msg.add", [1L, 2L], new Dictionary<string, object?> { ["c"] = 3L });
        var twice = await harness.PublishAsync("msg.add", [1L, 2L], new Dictionary<string, object?> { ["a"] = 3L });

        await AssertFailure(harness, missing, "TypeError", "builtins", "add() missing 1 required positional argument: 'b'");
        await AssertFailure(harness, extra, "TypeError", "builtins", "add() takes 2 positional arguments but 3 were given");
        await AssertFailure(harness, unexpected, "TypeError", "builtins", "add() got an unexpected keyword argument 'c'");
        await AssertFailure(harness, twice, "TypeError", "builtins", "add() got multiple values for argument 'a'");
    }

    [Fact]
    public async Task A_task_failure_is_stored_with_its_mapped_exception_and_errbacks_get_the_task_id()
    {
        await using var harness = new WorkerHarness();
        harness.Registry.Register("msg.fail", object? (string message) => throw new PythonException("ValueError", message));
        var errbackArgs = new ConcurrentQueue<object?>();
        harness.Registry.Register("msg.on_error", (string failedId) => errbackArgs.Enqueue(failedId));
        await harness.StartAsync();

        var id = await harness.PublishAsync("msg.fail", ["boom"], with: t => t with { Errbacks = [Sig("msg.on_error")] });

        var stored = await AssertFailure(harness, id, "ValueError", "builtins", "boom");
        Assert.EndsWith("ValueError: boom\n", stored.Error!.Traceback, StringComparison.Ordinal);
        await WorkerHarness.WaitUntilAsync(() => !errbackArgs.IsEmpty, "the errback");
        Assert.Equal([id], errbackArgs);
        var errback = Assert.Single(harness.Sent, s => s.Name == "msg.on_error");
        Assert.Equal(id, errback.ParentId);
    }

    [Fact]
    public async Task Retry_resends_the_same_id_with_retries_incremented_and_stores_retry()
    {
        await using var harness = new WorkerHarness();
        harness.Registry.Register("msg.retry", (TaskContext context, long times) =>
            context.Retries < times ? throw context.Retry(countdown: TimeSpan.FromMilliseconds(100)) : context.Retries);
        await harness.StartAsync();

        var id = await harness.PublishAsync("msg.retry", [3L]);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var expected = attempt;
            await WorkerHarness.WaitUntilAsync(() => harness.Sent.Count(s => s.Id == id && s.Retries > 0) == expected, $"retry {expected}");
            await WorkerHarness.WaitUntilAsync(() => harness.Results.History(id).Count(s => s == "RETRY") == expected, $"RETRY {expected} stored");
            harness.Time.Advance(TimeSpan.FromMilliseconds(100));
        }

        var stored = await harness.WaitForStateAsync(id, "SUCCESS");
        Assert.Equal(3L, stored.Value);
        var resent = harness.Sent.Where(s => s.Id == id && s.Retries > 0).ToList();
        Assert.Equal([1, 2, 3], resent.Select(s => s.Retries));
        Assert.All(resent, s => Assert.Equal(id, s.ParentId));
        Assert.All(resent, s => Assert.Equal(WorkerHarness.Start.AddMilliseconds(100 * s.Retries), s.Eta));
    }

    [Fact]
    public async Task Retry_past_max_retries_fails_with_max_retries_exceeded()
    {
        await using var harness = new WorkerHarness();
        harness.Registry.Register("msg.always", object? (TaskContext context) => throw context.Retry(countdown: TimeSpan.Zero, maxRetries: 2));
        await harness.StartAsync();

        var id = await harness.PublishAsync("msg.always");

        var stored = await harness.WaitForStateAsync(id, "FAILURE");
        Assert.Equal("MaxRetriesExceededError", stored.Error!.Type);
        Assert.Equal(2, harness.Sent.Count(s => s.Id == id && s.Retries > 0));
        Assert.Equal(["STARTED", "RETRY", "STARTED", "RETRY", "STARTED", "FAILURE"], harness.Results.History(id));
    }

    [Fact]
    public async Task Retry_with_an_exception_stores_it_with_the_retry_state()
    {
        await using var harness = new WorkerHarness();
        harness.Registry.Register("msg.flaky", (TaskContext context) =>
            context.Retries == 0 ? throw context.Retry(countdown: TimeSpan.Zero, exception: new KeyNotFoundException("k")) : "ok");
        await harness.StartAsync();

        var id = await harness.PublishAsync("msg.flaky");

        await harness.WaitForStateAsync(id, "SUCCESS");
        Assert.Equal(["STARTED", "RETRY", "STARTED", "SUCCESS"], harness.Results.History(id));
    }

    [Fact]
    public async Task Tasks_run_in_eta_order_not_arrival_order()
    {
        await using var harness = new WorkerHarness();
        var order = new ConcurrentQueue<string>();
        harness.Registry.Register("msg.mark", (string label) => order.Enqueue(label));
        await harness.StartAsync();

        var late = await harness.PublishAsync("msg.mark", ["late"], with: t => t with { Eta = WorkerHarness.Start.AddSeconds(10) });
        var early = await harness.PublishAsync("msg.mark", ["early"], with: t => t with { Eta = WorkerHarness.Start.AddSeconds(5) });
        await WorkerHarness.WaitUntilAsync(() => harness.Worker.HeldCount == 2, "both tasks held");
        Assert.Empty(order);

        harness.Time.Advance(TimeSpan.FromSeconds(10));

        await harness.WaitForStateAsync(late, "SUCCESS");
        await harness.WaitForStateAsync(early, "SUCCESS");
        Assert.Equal(["early", "late"], order);
        Assert.Contains($"extend 70 {late}", harness.Log.Entries);
        Assert.Contains($"extend 65 {early}", harness.Log.Entries);
    }

    [Fact]
    public async Task A_queue_full_of_future_tasks_does_not_starve_a_due_one()
    {
        await using var harness = new WorkerHarness();
        harness.Registry.Register("msg.add", (long a, long b) => a + b);
        await harness.StartAsync();

        for (var i = 0; i < 5; i++)
        {
            await harness.PublishAsync("msg.add", [1L, 1L], with: t => t with { Eta = WorkerHarness.Start.AddHours(1) });
        }

        await WorkerHarness.WaitUntilAsync(() => harness.Worker.HeldCount == 5, "the future tasks held");
        var due = await harness.PublishAsync("msg.add", [2L, 2L]);

        Assert.Equal(4L, (await harness.WaitForStateAsync(due, "SUCCESS")).Value);
    }

    [Fact]
    public async Task An_expired_task_is_revoked_not_run_and_acknowledged()
    {
        await using var harness = new WorkerHarness();
        var ran = false;
        harness.Registry.Register("msg.noop", () => { ran = true; });
        await harness.StartAsync();

        var id = await harness.PublishAsync("msg.noop", with: t => t with { Expires = WorkerHarness.Start.AddSeconds(-1) });

        var stored = await harness.WaitForStateAsync(id, "REVOKED");
        Assert.Equal("TaskRevokedError", stored.Error!.Type);
        Assert.Equal("celery.exceptions", stored.Error.Module);
        Assert.Equal(["expired"], stored.Error.Arguments);
        await WorkerHarness.WaitUntilAsync(() => harness.Log.About(id).Contains($"ack {id}"), "the ack");
        Assert.False(ran);
    }

    [Fact]
    public async Task A_held_task_that_expires_before_its_eta_is_revoked()
    {
        await using var harness = new WorkerHarness();
        harness.Registry.Register("msg.noop", () => { });
        await harness.StartAsync();

        var id = await harness.PublishAsync("msg.noop", with: t => t with { Eta = WorkerHarness.Start.AddSeconds(10), Expires = WorkerHarness.Start.AddSeconds(5) });
        await WorkerHarness.WaitUntilAsync(() => harness.Worker.HeldCount == 1, "the task held");
        harness.Time.Advance(TimeSpan.FromSeconds(10));

        await harness.WaitForStateAsync(id, "REVOKED");
    }

    [Fact]
    public async Task Soft_time_limit_cancels_the_task_token_and_fails_it()
    {
        await using var harness = new WorkerHarness();
        var started = new TaskCompletionSource();
        harness.Registry.Register("msg.sleep", async (CancellationToken token) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
        }, new TaskSettings { SoftTimeLimit = TimeSpan.FromSeconds(5) });
        await harness.StartAsync();

        var id = await harness.PublishAsync("msg.sleep");
        await started.Task;
        harness.Time.Advance(TimeSpan.FromSeconds(5));

        var stored = await harness.WaitForStateAsync(id, "FAILURE");
        Assert.Equal(("SoftTimeLimitExceeded", "billiard.exceptions"), (stored.Error!.Type, stored.Error.Module));
    }

    [Fact]
    public async Task Hard_time_limit_abandons_the_task_and_fails_it_with_time_limit_exceeded()
    {
        await using var harness = new WorkerHarness();
        var started = new TaskCompletionSource();
        var never = new TaskCompletionSource();
        harness.Registry.Register("msg.stuck", async () => { started.SetResult(); await never.Task; });
        await harness.StartAsync();

        var id = await harness.PublishAsync("msg.stuck", with: t => t with { HardTimeLimit = TimeSpan.FromSeconds(7) });
        await started.Task;
        harness.Time.Advance(TimeSpan.FromSeconds(7));

        var stored = await harness.WaitForStateAsync(id, "FAILURE");
        Assert.Equal(("TimeLimitExceeded", "billiard.exceptions"), (stored.Error!.Type, stored.Error.Module));
        Assert.Equal([7.0], stored.Error.Arguments);
    }

    [Fact]
    public async Task An_unknown_task_fails_with_not_registered_and_is_acknowledged()
    {
        await using var harness = new WorkerHarness();
        await harness.StartAsync();

        var id = await harness.PublishAsync("msg.nobody");

        var stored = await harness.WaitForStateAsync(id, "FAILURE");
        Assert.Equal(("NotRegistered", "celery.exceptions"), (stored.Error!.Type, stored.Error.Module));
        Assert.Equal(["msg.nobody"], stored.Error.Arguments);
        await WorkerHarness.WaitUntilAsync(() => harness.Log.About(id).Contains($"ack {id}"), "the ack");
        Assert.Equal(0, harness.Count("msg"));
        Assert.Equal(0, harness.Count("msg.dead"));
    }

    [Fact]
    public async Task A_message_that_does_not_decode_fails_under_its_id_and_is_acknowledged()
    {
        await using var harness = new WorkerHarness();
        await harness.StartAsync();

        await harness.PublishRawAsync("msg", new TransportMessage
        {
            Body = "garbage"u8.ToArray(),
            Headers = new Dictionary<string, object?> { ["id"] = "bad-1" },
        });

        var stored = await harness.WaitForStateAsync("bad-1", "FAILURE");
        Assert.Equal(("InvalidTaskError", "celery.exceptions"), (stored.Error!.Type, stored.Error.Module));
        await WorkerHarness.WaitUntilAsync(() => harness.Log.Entries.Contains("ack bad-1"), "the ack");
        Assert.Equal(0, harness.Count("msg"));
        Assert.Equal(0, harness.Count("msg.dead"));
    }

    [Fact]
    public async Task Callbacks_get_the_result_prepended_unless_immutable()
    {
        await using var harness = new WorkerHarness();
        harness.Registry.Register("msg.add", (long a, long b) => a + b);
        await harness.StartAsync();

        var mutableId = Guid.NewGuid().ToString();
        var immutableId = Guid.NewGuid().ToString();
        var id = await harness.PublishAsync("msg.add", [2L, 2L], with: t => t with
        {
            Callbacks = [Sig("msg.add", [1000L], options: new() { ["task_id"] = mutableId })],
        });
        var other = await harness.PublishAsync("msg.add", [2L, 2L], with: t => t with
        {
            Callbacks = [Sig("msg.add", [7L, 7L], immutable: true, options: new() { ["task_id"] = immutableId })],
        });

        Assert.Equal(1004L, (await harness.WaitForStateAsync(mutableId, "SUCCESS")).Value);
        Assert.Equal(14L, (await harness.WaitForStateAsync(immutableId, "SUCCESS")).Value);
        var callback = Assert.Single(harness.Sent, s => s.Id == mutableId);
        Assert.Equal([4L, 1000L], callback.Args);
        Assert.Equal(id, callback.ParentId);
        Assert.Equal(id, callback.RootId);
        _ = other;
    }

    [Fact]
    public async Task Several_callbacks_are_all_sent()
    {
        await using var harness = new WorkerHarness();
        harness.Registry.Register("msg.add", (long a, long b) => a + b);
        await harness.StartAsync();

        var first = Guid.NewGuid().ToString();
        var second = Guid.NewGuid().ToString();
        await harness.PublishAsync("msg.add", [1L, 1L], with: t => t with
        {
            Callbacks = [Sig("msg.add", [10L], options: new() { ["task_id"] = first }), Sig("msg.add", [20L], options: new() { ["task_id"] = second })],
        });

        Assert.Equal(12L, (await harness.WaitForStateAsync(first, "SUCCESS")).Value);
        Assert.Equal(22L, (await harness.WaitForStateAsync(second, "SUCCESS")).Value);
    }

    [Fact]
    public async Task A_chain_of_three_runs_through_passing_each_result_on()
    {
        await using var harness = new WorkerHarness();
        harness.Registry.Register("msg.add", (long a, long b) => a + b);
        await harness.StartAsync();

        var lastId = Guid.NewGuid().ToString();
        var middleId = Guid.NewGuid().ToString();

        // embed.chain holds the rest last-first: the next task is the last element.
        var id = await harness.PublishAsync("msg.add", [1L, 2L], with: t => t with
        {
            Chain = [Sig("msg.add", [100L], options: new() { ["task_id"] = lastId }), Sig("msg.add", [10L], options: new() { ["task_id"] = middleId })],
        });

        Assert.Equal(113L, (await harness.WaitForStateAsync(lastId, "SUCCESS")).Value);
        Assert.Equal(13L, (await harness.Results.GetAsync(middleId, default)).Value);
        var middle = Assert.Single(harness.Sent, s => s.Id == middleId);
        Assert.Equal([3L, 10L], middle.Args);
        Assert.Equal(lastId, Assert.Single(middle.Chain!)["options"] is IReadOnlyDictionary<string, object?> o ? o["task_id"] : null);
        Assert.Equal(id, middle.RootId);
        var last = Assert.Single(harness.Sent, s => s.Id == lastId);
        Assert.True(last.Chain is null or { Count: 0 });
        Assert.Equal(id, last.RootId);
        Assert.Equal(middleId, last.ParentId);
    }

    [Fact]
    public async Task Chord_unlock_retries_until_the_header_is_ready_then_sends_the_body_with_the_results()
    {
        await using var harness = new WorkerHarness();
        var bodyArgs = new ConcurrentQueue<object?>();
        harness.Registry.Register("msg.collect", (List<long> results) => { bodyArgs.Enqueue(results); return results.Sum(); });
        await harness.StartAsync();

        var headerIds = new[] { Guid.NewGuid().ToString(), Guid.NewGuid().ToString() };
        var bodyId = Guid.NewGuid().ToString();
        await harness.Results.StoreAsync(headerIds[0], "SUCCESS", 1L, null, default);
        var unlock = await harness.PublishAsync("celery.chord_unlock", ["group-1", Sig("msg.collect", options: new() { ["task_id"] = bodyId })], new Dictionary<string, object?>
        {
            ["interval"] = null,
            ["max_retries"] = null,
            ["result"] = headerIds.Select(h => (object?)new List<object?> { new List<object?> { h, null }, null }).ToList(),
        });

        await WorkerHarness.WaitUntilAsync(() => harness.Sent.Any(s => s.Id == unlock && s.Retries == 1), "the chord_unlock retry");
        Assert.Empty(harness.Results.History(unlock));
        await harness.Results.StoreAsync(headerIds[1], "SUCCESS", 2L, null, default);
        harness.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(3L, (await harness.WaitForStateAsync(bodyId, "SUCCESS")).Value);
        Assert.Equal([new List<long> { 1, 2 }], bodyArgs);
        var body = Assert.Single(harness.Sent, s => s.Id == bodyId);
        Assert.Equal(unlock, body.ParentId);
    }

    [Fact]
    public async Task Chord_unlock_fails_the_body_with_chord_error_when_a_header_failed()
    {
        await using var harness = new WorkerHarness();
        harness.Registry.Register("msg.collect", (List<long> results) => results.Sum());
        await harness.StartAsync();

        var headerId = Guid.NewGuid().ToString();
        var bodyId = Guid.NewGuid().ToString();
        await harness.Results.StoreAsync(headerId, "FAILURE", null, new ExceptionInfo("ValueError", "builtins", ["boom"], ""), default);
        await harness.PublishAsync("celery.chord_unlock", ["group-1", Sig("msg.collect", options: new() { ["task_id"] = bodyId })], new Dictionary<string, object?>
        {
            ["result"] = new List<object?> { new List<object?> { new List<object?> { headerId, null }, null } },
        });

        var stored = await harness.WaitForStateAsync(bodyId, "FAILURE");
        Assert.Equal(("ChordError", "celery.exceptions"), (stored.Error!.Type, stored.Error.Module));
        Assert.Equal([$"Dependency {headerId} raised ValueError('boom')"], stored.Error.Arguments);
    }

    [Fact]
    public async Task Extracted_followups_are_not_sent_by_the_task_and_travel_with_the_signature_it_sends()
    {
        await using var harness = new WorkerHarness();
        var resultId = Guid.NewGuid().ToString();
        harness.Registry.Register("export.project", async (TaskContext context) =>
        {
            var carrier = Cadasta.WorkerToolbox.Protocol.Signature.CreateImmutable("export.result", ["f.zip"]).WithOption("task_id", resultId);
            await context.SendAsync(context.ExtractFollowups().ApplyTo(carrier).WithOption("is_result", true));
            return true;
        });
        harness.Registry.Register("export.result", (string name) => name);
        var linkId = Guid.NewGuid().ToString();
        harness.Registry.Register("export.done", (string result) => result + "!");
        await harness.StartAsync();

        var id = await harness.PublishAsync("export.project", with: t => t with { Callbacks = [Sig("export.done", options: new() { ["task_id"] = linkId })] });

        Assert.Equal("f.zip!", (await harness.WaitForStateAsync(linkId, "SUCCESS")).Value);
        Assert.Equal(true, (await harness.Results.GetAsync(id, default)).Value);
        var link = Assert.Single(harness.Sent, s => s.Id == linkId);
        Assert.Equal(resultId, link.ParentId);
        Assert.Equal(true, Assert.Single(harness.Sent, s => s.Id == resultId).Properties["is_result"]);
    }

    [Fact]
    public async Task Shutdown_lets_running_tasks_finish_and_returns_unstarted_ones_unacknowledged()
    {
        await using var harness = new WorkerHarness();
        var started = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        harness.Registry.Register("msg.block", async () => { started.TrySetResult(); await release.Task; return "done"; });
        harness.Registry.Register("msg.add", (long a, long b) => a + b);
        harness.Options = harness.Options with { PrefetchMultiplier = 3 };
        await harness.StartAsync();

        var running = await harness.PublishAsync("msg.block");
        await started.Task;
        var waiting = await harness.PublishAsync("msg.add", [1L, 1L]);
        var future = await harness.PublishAsync("msg.add", [1L, 1L], with: t => t with { Eta = WorkerHarness.Start.AddHours(1) });
        await WorkerHarness.WaitUntilAsync(() => harness.Count("msg") == 0, "both prefetched");
        // Leaving the broker is not yet being held: wait until the worker has reserved the future task.
        await WorkerHarness.WaitUntilAsync(() => harness.Log.About(future).Count > 0, "the future task held");

        var stopping = harness.Worker.StopAsync(TimeSpan.FromMinutes(1));
        await WorkerHarness.SettleAsync();
        Assert.False(stopping.IsCompleted);
        release.SetResult();
        await stopping;

        Assert.Equal(2, harness.Count("msg"));
        Assert.Equal("done", (await harness.Results.GetAsync(running, default)).Value);
        Assert.Empty(harness.Log.About(waiting));
        Assert.Equal([$"extend 3660 {future}"], harness.Log.About(future));
        Assert.Empty(harness.Results.History(waiting));
    }

    [Fact]
    public async Task Returned_tasks_are_redelivered_to_the_next_worker()
    {
        await using var harness = new WorkerHarness();
        var started = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        harness.Registry.Register("msg.block", async () => { started.TrySetResult(); await release.Task; });
        harness.Registry.Register("msg.add", (long a, long b) => a + b);
        harness.Options = harness.Options with { PrefetchMultiplier = 2 };
        await harness.StartAsync();
        await harness.PublishAsync("msg.block");
        await started.Task;
        var waiting = await harness.PublishAsync("msg.add", [20L, 22L]);
        var stopping = harness.Worker.StopAsync(TimeSpan.FromMinutes(1));
        await WorkerHarness.SettleAsync();
        release.SetResult();
        await stopping;
        Assert.Equal(1, harness.Count("msg"));

        var next = harness.CreateWorker();
        await next.StartAsync();

        Assert.Equal(42L, (await harness.WaitForStateAsync(waiting, "SUCCESS")).Value);
    }

    [Fact]
    public async Task Tasks_still_running_after_the_grace_period_are_returned_never_acknowledged_with_late_acks()
    {
        await using var harness = new WorkerHarness();
        var started = new TaskCompletionSource();
        harness.Registry.Register("msg.forever", async (CancellationToken token) => { started.TrySetResult(); await Task.Delay(Timeout.InfiniteTimeSpan, token); });
        harness.Options = harness.Options with { AcksLate = true };
        await harness.StartAsync();

        var id = await harness.PublishAsync("msg.forever");
        await started.Task;
        await harness.WaitForStateAsync(id, "STARTED");
        var stopping = harness.Worker.StopAsync(TimeSpan.FromSeconds(30));
        await harness.AdvanceUntilAsync(() => stopping.IsCompleted, TimeSpan.FromSeconds(30), "the grace period to end");
        await stopping;

        Assert.DoesNotContain(harness.Log.About(id), e => e.StartsWith("ack", StringComparison.Ordinal) || e.StartsWith("reject", StringComparison.Ordinal));
        Assert.Equal(["STARTED"], harness.Results.History(id));
        Assert.Equal(1, harness.Count("msg"));
    }

    [Fact]
    public async Task Setup_failure_stops_the_start_when_throw_is_on_and_is_logged_when_off()
    {
        await using var harness = new WorkerHarness();
        await harness.Producer.EnsureSetupAsync();
        harness.Transport.DeclareFailure = new InvalidOperationException("broker says no");
        var topology = new Cadasta.WorkerToolbox.Routing.Topology([]);
        var throwing = harness.CreateWorker(topology: topology, options: harness.Options with { Queues = ["msg"] });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => throwing.StartAsync());
        Assert.Contains("broker says no", error.Message, StringComparison.Ordinal);

        var lenient = harness.CreateWorker(harness.Options with { ThrowOnSetupFailure = false, Queues = ["msg"] }, topology, new TaskRegistry());
        await lenient.StartAsync();

        // The producer's, the throwing worker's topology, the lenient worker's topology and its dead-letter queues.
        Assert.Equal(4, harness.Transport.DeclareCalls);
    }

    [Fact]
    public async Task Concurrency_tasks_run_at_once_and_no_more()
    {
        await using var harness = new WorkerHarness();
        var running = 0;
        var release = new TaskCompletionSource();
        harness.Registry.Register("msg.block", async () => { Interlocked.Increment(ref running); await release.Task; });
        harness.Options = harness.Options with { Concurrency = 3, PrefetchMultiplier = 2 };
        await harness.StartAsync();

        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(await harness.PublishAsync("msg.block"));
        }

        await WorkerHarness.WaitUntilAsync(() => Volatile.Read(ref running) == 3, "three tasks running");
        await WorkerHarness.SettleAsync();
        Assert.Equal(3, Volatile.Read(ref running));
        release.SetResult();
        foreach (var id in ids)
        {
            await harness.WaitForStateAsync(id, "SUCCESS");
        }

        Assert.Equal(4, running);
    }

    [Fact]
    public async Task The_prefetch_limit_bounds_the_messages_taken_from_the_broker()
    {
        await using var harness = new WorkerHarness();
        var release = new TaskCompletionSource();
        harness.Registry.Register("msg.block", async () => await release.Task);
        harness.Options = harness.Options with { Concurrency = 1, PrefetchMultiplier = 2, AcksLate = true };
        await harness.StartAsync();

        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await harness.PublishAsync("msg.block"));
        }

        await WorkerHarness.WaitUntilAsync(() => harness.Count("msg") == 3, "two messages prefetched");
        await WorkerHarness.SettleAsync();
        Assert.Equal(3, harness.Count("msg"));
        release.SetResult();
        foreach (var id in ids)
        {
            await harness.WaitForStateAsync(id, "SUCCESS");
        }
    }

    [Fact]
    public async Task A_failed_task_sends_no_callbacks()
    {
        await using var harness = new WorkerHarness();
        harness.Registry.Register("msg.fail", object? (string message) => throw new PythonException("ValueError", message));
        harness.Registry.Register("msg.add", (long a, long b) => a + b);
        await harness.StartAsync();

        var id = await harness.PublishAsync("msg.fail", ["x"], with: t => t with { Callbacks = [Sig("msg.add", [1L])] });

        await harness.WaitForStateAsync(id, "FAILURE");
        await WorkerHarness.SettleAsync();
        Assert.DoesNotContain(harness.Sent, s => s.Name == "msg.add");
    }

    [Fact]
    public async Task With_late_acks_a_retry_is_acknowledged_after_the_retry_state_is_stored()
    {
        await using var harness = new WorkerHarness();
        harness.Registry.Register("msg.flaky", (TaskContext context) =>
            context.Retries == 0 ? throw context.Retry(countdown: TimeSpan.Zero) : "ok");
        harness.Options = harness.Options with { AcksLate = true };
        await harness.StartAsync();

        var id = await harness.PublishAsync("msg.flaky");
        await harness.WaitForStateAsync(id, "SUCCESS");
        await WorkerHarness.WaitUntilAsync(() => harness.Log.About(id).Count(e => e.StartsWith("ack", StringComparison.Ordinal)) == 2, "both acks");

        Assert.Equal(
            [$"store STARTED {id}", $"store RETRY {id}", $"ack {id}", $"store STARTED {id}", $"store SUCCESS {id}", $"ack {id}"],
            harness.Log.About(id));
    }

    private static async Task<StoredState> AssertFailure(WorkerHarness harness, string id, string type, string module, string message)
    {
        var stored = await harness.WaitForStateAsync(id, "FAILURE");
        Assert.Equal(type, stored.Error!.Type);
        Assert.Equal(module, stored.Error.Module);
        Assert.Equal([message], stored.Error.Arguments);
        return stored;
    }
}
