using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Cadasta.WorkerToolbox.IntegrationTests.Reliability;

/// <summary>
/// Restarts the (private) RabbitMQ while the producer publishes and the demo worker consumes:
/// both recover by themselves (publisher confirms with retry; automatic connection recovery),
/// and nothing is lost.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class BrokerRestartTests(ReliabilityServices services, ITestOutputHelper output)
{
    [Fact]
    public async Task A_RabbitMQ_restart_mid_run_loses_nothing_and_producer_and_worker_recover_by_themselves()
    {
        await using var run = await FaultRun.CreateAsync(services, output, "amqp", acksLate: true);
        var total = FaultRun.TaskCount(1000);
        var worker = run.StartWorker();

        // Publish at a pace, so the restart falls in the middle of the publishing too.
        var sending = run.SendAsync(total, sleepSeconds: 0.005, pause: TimeSpan.FromMilliseconds(100));
        await run.WaitForSuccessesAsync(total / 4, TimeSpan.FromMinutes(3));

        var publishedBefore = run.Published;
        await services.RabbitMq.StopAsync();
        var downAt = DateTimeOffset.UtcNow;
        output.WriteLine($"RabbitMQ stopped after {publishedBefore} of {total} published, {await run.TrySuccessCountAsync()} successes");
        await Task.Delay(TimeSpan.FromSeconds(2));
        await services.RabbitMq.StartAgainAsync();
        var upAt = DateTimeOffset.UtcNow;
        output.WriteLine($"RabbitMQ back after {(upAt - downAt).TotalSeconds:0.0} s");

        var ids = await sending; // every publish completed (confirmed) in the end; none threw
        var clock = Stopwatch.StartNew();
        DateTimeOffset? resumed = null;
        while (resumed is null && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(50);
            // A task first seen after the broker is back was delivered by the recovered consumer.
            resumed = await run.FirstNewTaskAfterAsync(upAt);
        }

        await run.WaitForSuccessesAsync(total, TimeSpan.FromMinutes(3));
        var outcome = await run.CountAsync(ids);
        output.WriteLine(outcome.ToString());
        var recovery = resumed is { } r ? $"first delivery {(r - upAt).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s after the broker was back ({(upAt - downAt).TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s down)" : "never";
        run.Report("RabbitMQ restart", outcome, recovery, $"{publishedBefore} of {total} published when it stopped; the rest published through the restart");

        Assert.False(worker.HasExited, $"The worker exited during the broker restart.\n{worker.Tail()}");
        Assert.Equal(total, ids.Count);
        Assert.True(publishedBefore < total, "The producer had finished before the restart: the restart did not test it.");
        Assert.Empty(outcome.Missing);
        Assert.NotNull(resumed);
    }
}
