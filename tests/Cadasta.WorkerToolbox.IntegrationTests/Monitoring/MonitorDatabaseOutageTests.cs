using Cadasta.WorkerToolbox.IntegrationTests.Reliability;
using Npgsql;

namespace Cadasta.WorkerToolbox.IntegrationTests.Monitoring;

/// <summary>
/// The monitor through a PostgreSQL outage. The database stopped is the private cluster of the
/// reliability collection (never the shared server), with a database of this test.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class MonitorDatabaseOutageTests(ReliabilityServices services)
{
    [Fact]
    public async Task A_PostgreSQL_outage_loses_no_record()
    {
        var database = "monitor_" + Guid.NewGuid().ToString("N")[..10];
        await services.Postgres.CreateDatabaseAsync(database);
        var connectionString = services.Postgres.ConnectionString(database);
        await using var environment = await MonitorAmqpTests.CreateAmqpEnvironmentAsync(services.Postgres.BackendUrl(database));
        await environment.Store.EnsureSchemaAsync(); // a fresh database: the table exists before the test reads it
        await environment.StartMonitorAsync(maxRetryDelay: TimeSpan.FromSeconds(1));
        var before = Guid.NewGuid().ToString();
        await environment.PublishAsync(MonitorInteropScenarios.OurTask(before));
        await environment.WaitForRecordAsync(before);

        var during = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid().ToString()).ToList();
        try
        {
            await services.Postgres.StopAsync();
            foreach (var id in during)
            {
                await environment.PublishAsync(MonitorInteropScenarios.OurTask(id));
            }

            await environment.WaitUntilAsync(() => Task.FromResult(environment.Monitor!.Statistics.DatabaseFailures >= 2), "the monitor met the outage");
        }
        finally
        {
            await services.Postgres.StartAgainAsync();

            // This test's own pooled connections died with the server.
            NpgsqlConnection.ClearAllPools();
        }

        foreach (var id in during)
        {
            await environment.WaitForRecordAsync(id);
        }

        foreach (var id in during.Append(before))
        {
            Assert.Equal(1L, await MonitorTestEnvironment.CountRecordsAsync(id, connectionString));
        }
    }
}
