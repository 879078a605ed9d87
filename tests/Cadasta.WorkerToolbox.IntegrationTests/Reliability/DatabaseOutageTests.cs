using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Cadasta.WorkerToolbox.IntegrationTests.Reliability;

/// <summary>
/// Stops the (private) PostgreSQL for a while in the middle of a run with late acks: the worker
/// never exits, acknowledges no message whose result is not stored, and every result is there
/// once the database is back.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class DatabaseOutageTests(ReliabilityServices services, ITestOutputHelper output)
{
    private static TimeSpan Outage =>
        TimeSpan.FromSeconds(double.TryParse(Environment.GetEnvironmentVariable("RELIABILITY_PG_OUTAGE_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : 5);

    [Theory]
    [InlineData("amqp")]
    [InlineData("sqs")]
    public async Task A_PostgreSQL_outage_acks_nothing_without_its_result_and_loses_nothing(string broker)
    {
        await using var run = await FaultRun.CreateAsync(services, output, broker, acksLate: true);
        var ids = await run.SendAsync(FaultRun.TaskCount(1000), sleepSeconds: 0.01);
        var worker = run.StartWorker();
        await run.WaitForSuccessesAsync(ids.Count / 3, TimeSpan.FromMinutes(3));

        await services.Postgres.StopAsync();
        var downAt = DateTimeOffset.UtcNow;
        await Task.Delay(Outage);

        // Just before the database returns: what the broker no longer holds was acknowledged.
        var acknowledged = ids.Count - await run.BacklogAsync();
        Assert.False(worker.HasExited, $"The worker exited during the database outage.\n{worker.Tail()}");
        await services.Postgres.StartAgainAsync();
        var upAt = DateTimeOffset.UtcNow;

        // Every acknowledged task had its SUCCESS committed before the outage ended.
        var storedBefore = await run.SuccessWritesBeforeAsync(upAt);
        output.WriteLine($"outage {(upAt - downAt).TotalSeconds:0.0} s: {acknowledged} acknowledged, {storedBefore} results stored before the database came back");
        Assert.True(acknowledged <= storedBefore, $"{acknowledged} messages were acknowledged but only {storedBefore} results were stored.");

        var clock = Stopwatch.StartNew();
        DateTimeOffset? resumed = null;
        while (resumed is null && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(50);
            resumed = await TryAsync(() => run.FirstSuccessAfterAsync(upAt));
        }

        await run.WaitForSuccessesAsync(ids.Count, TimeSpan.FromMinutes(3));
        var outcome = await run.CountAsync(ids);
        output.WriteLine(outcome.ToString());
        var recovery = resumed is { } r ? $"{(r - upAt).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s after PostgreSQL was back ({Outage.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s down)" : "never";
        run.Report($"PostgreSQL stopped {Outage.TotalSeconds:0} s", outcome, recovery, $"acked during outage ≤ stored: {acknowledged} ≤ {storedBefore}");

        Assert.False(worker.HasExited, $"The worker exited after the database outage.\n{worker.Tail()}");
        Assert.Empty(outcome.Missing);
        Assert.NotNull(resumed);
    }

    private static async Task<T?> TryAsync<T>(Func<Task<T?>> action)
    {
        try
        {
            return await action();
        }
        catch (Npgsql.NpgsqlException)
        {
            return default;
        }
    }
}
