using Cadasta.WorkerToolbox.Monitoring;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.TestSupport.Interop;
using Npgsql;

namespace Cadasta.WorkerToolbox.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard's queries on PostgreSQL, in a database of their own (<c>cadasta_dashboard_test</c>, emptied first):
/// the filters whose SQL differs from SQLite's (a byte-order name index, LIKE with escapes, PENDING as an anti-join,
/// timestamptz and naive date_done), keyset pages, counts and activity.
/// </summary>
[Collection(nameof(PostgresTaskRecordBrowserTests))]
public sealed class PostgresTaskRecordBrowserTests : IAsyncLifetime
{
    private const string Database = "cadasta_dashboard_test";
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
    private static readonly string BackendUrl = $"db+postgresql://worker:cadasta@127.0.0.1:5432/{Database}";

    public async Task InitializeAsync()
    {
        await RequiredService.PostgreSql.EnsureAsync();
        var server = new NpgsqlConnectionStringBuilder(ResultBackendUrl.Parse(RequiredService.PostgreSqlBackendUrl).ConnectionString);
        await using (var admin = new NpgsqlConnection(server.ConnectionString))
        {
            await admin.OpenAsync();
            await using var exists = new NpgsqlCommand("SELECT COUNT(*) FROM pg_database WHERE datname = @name", admin);
            exists.Parameters.AddWithValue("name", Database);
            if ((long)(await exists.ExecuteScalarAsync())! == 0)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE {Database}", admin);
                await create.ExecuteNonQueryAsync();
            }
        }

        server.Database = Database;
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand("DROP TABLE IF EXISTS cadasta_task_record, celery_taskmeta, celery_tasksetmeta; DROP SEQUENCE IF EXISTS task_id_sequence, taskset_id_sequence", connection);
        await drop.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Filters_pages_counts_and_activity_on_postgresql()
    {
        await using var store = TaskRecordStore.Create(BackendUrl);
        await using var results = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = BackendUrl });
        await using var browser = TaskRecordBrowser.Create(BackendUrl);
        Assert.Empty((await browser.ListAsync(new TaskListQuery { State = "PENDING" })).Items);

        await store.EnsureSchemaAsync();
        TaskRecord Record(string id, string name, int minute, string? creator = null) => new()
        {
            TaskId = id, TaskName = name, Args = [], Kwargs = new Dictionary<string, object?>(), Options = new Dictionary<string, object?>(),
            RootId = id, CreatorId = creator, Created = T0.AddMinutes(minute).AddTicks(10),
        };
        await store.AddIfAbsentAsync(
        [
            Record("a", "export.project", 0, "alice"),
            Record("b", "export.project.xls", 1, "alice"),
            Record("c", "msg.add", 2, "bob"),
            Record("d", "export_project", 3),
            Record("e", "Export.Project", 4),
            Record("f", "100%.done", 5),
        ]);
        await results.StoreAsync(TaskResult.Success("a", true));
        await results.StoreAsync(TaskResult.Failure("b", new TaskError("ValueError", "builtins", ["x"]), null));
        await results.StoreAsync(TaskResult.Started("c", 1, "celery@vm"));

        async Task<string[]> Ids(TaskListQuery query) => [.. (await browser.ListAsync(query)).Items.Select(item => item.Task.Record.TaskId)];

        Assert.Equal(["f", "e", "d", "c", "b", "a"], await Ids(new TaskListQuery()));
        Assert.Equal(["f", "e", "d"], await Ids(new TaskListQuery { State = "PENDING" }));
        Assert.Equal(["b"], await Ids(new TaskListQuery { State = "FAILURE" }));
        Assert.Equal(["a"], await Ids(new TaskListQuery { Name = "export.project" }));
        Assert.Equal(["b", "a"], await Ids(new TaskListQuery { Name = "export.*" }));
        Assert.Equal(["d"], await Ids(new TaskListQuery { Name = "export_*" }));
        Assert.Equal(["f"], await Ids(new TaskListQuery { Name = "100%*" }));
        Assert.Empty(await Ids(new TaskListQuery { Name = "100_*" }));
        Assert.Equal(["b", "a"], await Ids(new TaskListQuery { CreatorId = "alice" }));
        Assert.Equal(["c", "b"], await Ids(new TaskListQuery { CreatedFrom = T0.AddMinutes(1), CreatedTo = T0.AddMinutes(3) }));

        var first = await browser.ListAsync(new TaskListQuery { Limit = 4 });
        Assert.NotNull(first.Next);
        Assert.True(TaskListCursor.TryParse(first.Next.ToString(), out var cursor));
        Assert.Equal(["b", "a"], await Ids(new TaskListQuery { Limit = 4, Before = cursor }));

        var counts = await browser.CountByStateAsync();
        Assert.Equal(new Dictionary<string, long> { ["SUCCESS"] = 1, ["FAILURE"] = 1, ["STARTED"] = 1, ["PENDING"] = 3 }, counts.ToDictionary());
        var activity = await browser.GetActivityAsync(DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Equal((1, 1), (activity.Sum(bucket => bucket.Succeeded), activity.Sum(bucket => bucket.Failed)));
        Assert.Empty(await browser.GetActivityAsync(DateTimeOffset.UtcNow.AddMinutes(5)));

        var family = await browser.GetFamilyAsync("b");
        Assert.Equal("FAILURE", family.Family.OverallStatus);
        Assert.NotNull(family.Items[0].DoneAt);
    }
}
