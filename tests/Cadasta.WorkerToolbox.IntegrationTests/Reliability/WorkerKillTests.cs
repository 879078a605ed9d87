using System.Diagnostics;
using System.Globalization;
using Cadasta.WorkerToolbox.Worker;
using Xunit.Abstractions;

namespace Cadasta.WorkerToolbox.IntegrationTests.Reliability;

/// <summary>
/// kill -9 the demo worker three times during a run and restart it each time. With late acks no
/// task is lost (a task may run twice); with early acks only tasks running at a kill may be lost.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class WorkerKillTests(ReliabilityServices services, ITestOutputHelper output)
{
    private const int Kills = 3;

    [Theory]
    [InlineData("amqp")]
    [InlineData("sqs")]
    public async Task With_late_acks_three_kills_lose_no_task(string broker)
    {
        await using var run = await FaultRun.CreateAsync(services, output, broker, acksLate: true);
        var ids = await run.SendAsync(FaultRun.TaskCount(1000), sleepSeconds: 0.01);
        var recoveries = await KillThreeTimesAsync(run, ids.Count);

        await run.WaitForSuccessesAsync(ids.Count, TimeSpan.FromMinutes(5));
        var outcome = await run.CountAsync(ids);
        output.WriteLine(outcome.ToString());
        run.Report("kill -9 ×3, task_acks_late=True", outcome, recoveries);

        Assert.Empty(outcome.Missing);
        Assert.Equal(ids.Count, outcome.Succeeded);
        Assert.Equal(0, outcome.Foreign);

        // Only a task that finished but whose acknowledgement died with the worker runs again:
        // at most the tasks the worker held at each kill (its prefetch window).
        Assert.True(
            outcome.Duplicated <= Kills * FaultRun.Concurrency * FaultRun.PrefetchMultiplier,
            $"{outcome.Duplicated} tasks ran more than once; at most {Kills * FaultRun.Concurrency * FaultRun.PrefetchMultiplier} could have been held at the kills.");
    }

    [Theory]
    [InlineData("amqp")]
    [InlineData("sqs")]
    public async Task With_early_acks_three_kills_lose_at_most_the_tasks_running_at_the_kills(string broker)
    {
        await using var run = await FaultRun.CreateAsync(services, output, broker, acksLate: false);
        var ids = await run.SendAsync(FaultRun.TaskCount(1000), sleepSeconds: 0.01);
        var recoveries = await KillThreeTimesAsync(run, ids.Count);

        await run.WaitForDrainAsync(TimeSpan.FromMinutes(5), quiet: TimeSpan.FromSeconds(3));
        var outcome = await run.CountAsync(ids);
        output.WriteLine(outcome.ToString());
        // Acknowledged when it starts: a kill loses the tasks running then (at most the concurrency)
        // and the outcomes not yet committed of tasks that just ended (at most the worker's pending-outcome
        // window, docs/worker.md), never one still waiting in the prefetch buffer or in the broker.
        var perKill = FaultRun.Concurrency + new WorkerOptions().PendingOutcomeLimit;
        run.Report("kill -9 ×3, task_acks_late=False", outcome, recoveries, $"≤ {Kills * perKill} running or being recorded at the kills may be lost");
        Assert.True(
            outcome.Missing.Count <= Kills * perKill,
            $"{outcome.Missing.Count} tasks lost; at most {Kills * perKill} were running or being recorded at the {Kills} kills. {outcome}");
        Assert.Equal(0, outcome.Duplicated);
        Assert.Equal(ids.Count, outcome.Succeeded + outcome.Missing.Count);
    }

    /// <summary>Starts the worker, kills it at a quarter, half and three quarters of the run, restarting it each time; returns the recovery times.</summary>
    private async Task<string> KillThreeTimesAsync(FaultRun run, int total)
    {
        var worker = run.StartWorker();
        var recoveries = new List<double>();
        for (var kill = 1; kill <= Kills; kill++)
        {
            await run.WaitForSuccessesAsync(total * kill / (Kills + 1), TimeSpan.FromMinutes(3));
            var running = await run.StartedNowAsync();
            await worker.KillAsync();
            var killedAt = DateTimeOffset.UtcNow;
            output.WriteLine($"kill {kill}: SIGKILL after {await run.TrySuccessCountAsync()} successes, {running} STARTED rows just before");
            worker = run.StartWorker();

            // Time to recover: from the kill to the first task the new process completes.
            var clock = Stopwatch.StartNew();
            DateTimeOffset? resumed = null;
            while (resumed is null && clock.Elapsed < TimeSpan.FromMinutes(2))
            {
                await Task.Delay(50);
                resumed = await run.FirstSuccessAfterAsync(killedAt);
            }

            Assert.True(resumed is not null, $"No task completed within 2 minutes of kill {kill}.\n{run.WorkerTail()}");
            recoveries.Add((resumed!.Value - killedAt).TotalSeconds);
        }

        return string.Join(" / ", recoveries.Select(s => s.ToString("0.0", CultureInfo.InvariantCulture) + " s"));
    }
}
