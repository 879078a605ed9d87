using System.Diagnostics;
using Cadasta.WorkerToolbox.TestSupport.Interop;
using Npgsql;

namespace Cadasta.WorkerToolbox.IntegrationTests.Monitoring;

/// <summary>Tests that stop the PostgreSQL server run alone: nothing else in this assembly runs meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgresOutageCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "PostgreSQL outage (stops the server)";
}

[Collection(PostgresOutageCollection.Name)]
public sealed class MonitorDatabaseOutageTests
{
    [Fact]
    public async Task A_PostgreSQL_outage_loses_no_record()
    {
        await using var environment = await MonitorAmqpTests.CreateAmqpEnvironmentAsync();
        await environment.StartMonitorAsync(maxRetryDelay: TimeSpan.FromSeconds(1));
        var before = Guid.NewGuid().ToString();
        await environment.PublishAsync(MonitorInteropScenarios.OurTask(before));
        await environment.WaitForRecordAsync(before);

        var during = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid().ToString()).ToList();
        try
        {
            await ServiceAsync("stop");
            foreach (var id in during)
            {
                await environment.PublishAsync(MonitorInteropScenarios.OurTask(id));
            }

            await environment.WaitUntilAsync(() => Task.FromResult(environment.Monitor!.Statistics.DatabaseFailures >= 2), "the monitor met the outage");
        }
        finally
        {
            await ServiceAsync("start");

            // This test's own pooled connections (CountRecordsAsync) died with the server.
            NpgsqlConnection.ClearAllPools();
        }

        foreach (var id in during)
        {
            await environment.WaitForRecordAsync(id);
        }

        foreach (var id in during.Append(before))
        {
            Assert.Equal(1L, await MonitorTestEnvironment.CountRecordsAsync(id));
        }
    }

    private static async Task ServiceAsync(string action)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "scripts", "services", "postgres"));
        info.ArgumentList.Add(action);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"scripts/services/postgres {action} exited {process.ExitCode}: {await error}{await output}");
    }
}
