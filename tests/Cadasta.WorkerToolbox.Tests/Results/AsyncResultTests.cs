using Cadasta.WorkerToolbox.Results;

namespace Cadasta.WorkerToolbox.Tests.Results;

public class AsyncResultTests
{
    private readonly CountingTimeProvider clock = new();
    private readonly InMemoryResultStore store = new();

    [Fact]
    public async Task Unknown_task_is_pending_and_not_ready()
    {
        var result = new AsyncResult("nobody", store, clock);

        Assert.Equal(TaskStates.Pending, await result.GetStateAsync());
        Assert.False(await result.IsReadyAsync());
        Assert.False(await result.IsSuccessfulAsync());
        Assert.False(await result.IsFailedAsync());
    }

    [Fact]
    public async Task Get_returns_the_value_of_a_finished_task_without_waiting()
    {
        await store.StoreAsync(TaskResult.Success("t", new List<object?> { 1L }));
        var result = new AsyncResult("t", store, clock);

        Assert.Equal(new List<object?> { 1L }, await result.GetAsync(TimeSpan.Zero));
        Assert.True(await result.IsSuccessfulAsync());
        Assert.Equal(0, clock.TimersCreated);
    }

    [Fact]
    public async Task Get_polls_until_the_task_is_done()
    {
        var result = new AsyncResult("later", store, clock);

        var get = result.GetAsync(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(0.5));
        await clock.WaitForTimersAsync(1);
        clock.Advance(TimeSpan.FromSeconds(0.5));
        await clock.WaitForTimersAsync(2);
        Assert.False(get.IsCompleted);
        await store.StoreAsync(TaskResult.Success("later", "done"));
        clock.Advance(TimeSpan.FromSeconds(0.5));

        Assert.Equal("done", await get);
        Assert.Equal(3, store.Reads);
    }

    [Fact]
    public async Task Get_times_out_on_the_fake_clock_with_TimeoutException()
    {
        await store.StoreAsync(TaskResult.Started("slow", 1, "h"));
        var result = new AsyncResult("slow", store, clock);

        var get = result.GetAsync(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(0.5));
        for (var timer = 1; timer <= 4; timer++)
        {
            await clock.WaitForTimersAsync(timer);
            Assert.False(get.IsCompleted);
            clock.Advance(TimeSpan.FromSeconds(0.5));
        }

        var error = await Assert.ThrowsAsync<TimeoutException>(() => get);
        Assert.Contains("STARTED", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, store.Reads);
    }

    [Fact]
    public async Task Wait_returns_the_last_state_when_the_time_is_up()
    {
        var result = new AsyncResult("pending", store, clock);

        var wait = result.WaitAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(0.75));
        await clock.WaitForTimersAsync(1);
        clock.Advance(TimeSpan.FromSeconds(0.75));
        await clock.WaitForTimersAsync(2);
        clock.Advance(TimeSpan.FromSeconds(0.25));

        Assert.Equal(TaskStates.Pending, (await wait).State);
    }

    [Fact]
    public async Task Cancellation_stops_the_wait()
    {
        var result = new AsyncResult("never", store, clock);
        using var cancellation = new CancellationTokenSource();

        var get = result.GetAsync(null, null, cancellation.Token);
        await clock.WaitForTimersAsync(1);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => get);
    }

    [Fact]
    public async Task A_failure_is_raised_with_the_remote_type_module_message_and_traceback()
    {
        await store.StoreAsync(TaskResult.Failure("f", new TaskError("ValueError", "builtins", ["boom", 5L]), "Traceback...\nValueError: ('boom', 5)\n"));
        var result = new AsyncResult("f", store, clock);

        var error = await Assert.ThrowsAsync<TaskFailedException>(() => result.GetAsync(TimeSpan.Zero));

        Assert.True(await result.IsFailedAsync());
        Assert.Equal("f", error.TaskId);
        Assert.Equal(TaskStates.Failure, error.State);
        Assert.Equal("ValueError", error.RemoteExceptionType);
        Assert.Equal("builtins", error.RemoteExceptionModule);
        Assert.Equal("('boom', 5)", error.RemoteMessage);
        Assert.Equal(new object?[] { "boom", 5L }, error.RemoteArguments);
        Assert.StartsWith("Traceback", error.RemoteTraceback, StringComparison.Ordinal);
        Assert.Contains("builtins.ValueError: ('boom', 5)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_task_is_raised_as_well()
    {
        await store.StoreAsync(TaskResult.Revoked("r", "expired"));

        var error = await Assert.ThrowsAsync<TaskFailedException>(() => new AsyncResult("r", store, clock).GetAsync(TimeSpan.Zero));

        Assert.Equal(("REVOKED", "TaskRevokedError", "celery.exceptions", "expired"), (error.State, error.RemoteExceptionType, error.RemoteExceptionModule, error.RemoteMessage));
    }
}
