using Cadasta.WorkerToolbox.Tests.Worker.Harness;

namespace Cadasta.WorkerToolbox.Tests.Worker;

/// <summary>The worker's graceful stop asks the broker for no more deliveries before running tasks settle.</summary>
public sealed class GracefulStopTests
{
    [Fact]
    public async Task With_late_acks_the_stop_ends_deliveries_before_a_running_task_acknowledges_so_nothing_is_refilled()
    {
        await using var harness = new WorkerHarness();
        var started = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        harness.Registry.Register("msg.block", async () => { started.TrySetResult(); await release.Task; return "done"; });
        harness.Registry.Register("msg.add", (long a, long b) => a + b);
        harness.Options = harness.Options with { AcksLate = true, PrefetchMultiplier = 1 };
        await harness.StartAsync();

        var running = await harness.PublishAsync("msg.block");
        await started.Task;
        var waiting = new[] { await harness.PublishAsync("msg.add", [1L, 2L]), await harness.PublishAsync("msg.add", [3L, 4L]) };
        Assert.Equal(2, harness.Count("msg")); // prefetch 1: the running task holds the only slot

        var stopping = harness.Worker.StopAsync(TimeSpan.FromMinutes(1));
        await WorkerHarness.WaitUntilAsync(() => harness.Log.Entries.Contains("stop-deliveries"), "the worker stopped the deliveries");
        release.SetResult();
        await stopping;

        var entries = harness.Log.Entries.ToList();
        Assert.True(
            entries.IndexOf("stop-deliveries") < entries.IndexOf($"ack {running}"),
            "The running task acknowledged before the deliveries stopped: " + string.Join(" | ", entries));
        Assert.Equal("done", (await harness.Results.GetAsync(running, default)).Value);
        Assert.All(waiting, id => Assert.Empty(harness.Results.History(id)));
        Assert.Equal(2, harness.Count("msg"));
        await harness.Worker.ConsumerCompletion; // a requested stop completes it normally
    }
}
