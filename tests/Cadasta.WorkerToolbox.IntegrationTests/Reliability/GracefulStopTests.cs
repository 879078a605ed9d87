using Xunit.Abstractions;

namespace Cadasta.WorkerToolbox.IntegrationTests.Reliability;

/// <summary>
/// SIGTERM during load: the demo worker finishes the tasks it runs, gives the others back to the
/// broker, exits 0; a new worker completes the rest. Nothing is lost and nothing runs twice.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class GracefulStopTests(ReliabilityServices services, ITestOutputHelper output)
{
    [Theory]
    [InlineData("amqp", false)]
    [InlineData("amqp", true)]
    [InlineData("sqs", false)]
    [InlineData("sqs", true)]
    public async Task SIGTERM_under_load_finishes_or_returns_every_task(string broker, bool acksLate)
    {
        await using var run = await FaultRun.CreateAsync(services, output, broker, acksLate);
        var ids = await run.SendAsync(FaultRun.TaskCount(400), sleepSeconds: 0.02);
        var worker = run.StartWorker();
        await run.WaitForSuccessesAsync(ids.Count / 3, TimeSpan.FromMinutes(3));

        await worker.TerminateAsync();
        var exit = await worker.WaitForExitAsync(TimeSpan.FromSeconds(90));
        Assert.True(exit == 0, $"The worker exited with {exit} after SIGTERM.\n{worker.Tail()}");

        // Every task it started has finished (no STARTED row left behind), and every task it did
        // not finish is back in the broker: stored + held by the broker = sent.
        var afterStop = await run.CountAsync(ids);
        var backlog = await run.BacklogAsync();
        output.WriteLine($"after SIGTERM: {afterStop}; broker holds {backlog}");
        Assert.Equal(0, afterStop.StartedOnly);
        Assert.Equal(ids.Count, afterStop.Succeeded + backlog);

        var restarted = DateTimeOffset.UtcNow;
        run.StartWorker();
        await run.WaitForSuccessesAsync(ids.Count, TimeSpan.FromMinutes(3));
        var resumed = await run.FirstSuccessAfterAsync(restarted);
        var outcome = await run.CountAsync(ids);
        output.WriteLine(outcome.ToString());
        run.Report(
            $"SIGTERM under load, task_acks_late={(acksLate ? "True" : "False")}",
            outcome,
            resumed is { } r ? $"{(r - restarted).TotalSeconds:0.0} s from restart to first result" : "never",
            $"{afterStop.Succeeded} done before exit, {backlog} returned to the broker");

        Assert.Empty(outcome.Missing);
        Assert.Equal(0, outcome.Duplicated);
    }
}
