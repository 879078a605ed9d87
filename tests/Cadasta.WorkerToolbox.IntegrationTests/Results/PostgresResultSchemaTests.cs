using Cadasta.WorkerToolbox.Results;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Cadasta.WorkerToolbox.IntegrationTests.Results;

/// <summary>Celery's tables as SQLAlchemy creates them, as we create them, and the Cadasta platform's variant.</summary>
public sealed class PostgresResultSchemaTests
{
    public PostgresResultSchemaTests() => ResultPostgres.RequireRunning();

    [Fact]
    public async Task We_create_exactly_what_sqlalchemy_creates_from_celerys_models()
    {
        await using var theirs = await ScratchSchema.CreateAsync();
        await using var ours = await ScratchSchema.CreateAsync();
        var (exit, _, error) = await ResultPeer.RunAsync("create", theirs.Url);
        Assert.True(exit == 0, error);
        await using (var store = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = ours.Url }))
        {
            await store.EnsureSchemaAsync();
        }

        var expected = await DescribeAsync(theirs.Name);
        Assert.Contains("seq task_id_sequence bigint 1 1", expected);
        Assert.Contains("con celery_taskmeta_task_id_key UNIQUE (task_id)", expected);
        Assert.Contains("col celery_taskmeta.date_done timestamp without time zone", expected);
        Assert.Equal(expected, await DescribeAsync(ours.Name));
    }

    [Fact]
    public async Task Tables_sqlalchemy_created_are_used_unchanged_and_celery_reads_our_rows()
    {
        await using var schema = await ScratchSchema.CreateAsync();
        Assert.Equal(0, (await ResultPeer.RunAsync("create", schema.Url)).Exit);
        var before = await DescribeAsync(schema.Name);
        var taskId = ResultPostgres.NewTaskId("on-sqlalchemy-tables");

        await using (var store = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = schema.Url, ResultExtended = true }))
        {
            await store.StoreAsync(TaskResult.Success(taskId, new List<object?> { 1L, "two" }) with { Name = "msg.add", Args = [1L, 2L], Queue = "msg" });
        }

        await ResultPeer.CheckAsync(schema.Url, (taskId, "[1, 'two']"));
        Assert.Equal(before, await DescribeAsync(schema.Name));
        Assert.Equal("msg.add", await ResultPostgres.ScalarAsync($"SELECT name FROM celery_taskmeta WHERE task_id = '{taskId}'", schema.Name));
    }

    [Fact]
    public async Task Tables_we_created_are_used_by_celery()
    {
        await using var schema = await ScratchSchema.CreateAsync();
        var ours = ResultPostgres.NewTaskId("ours");
        var theirs = ResultPostgres.NewTaskId("theirs");
        await using var store = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = schema.Url });
        await store.StoreAsync(TaskResult.Success(ours, 7L));

        await ResultPeer.WriteAsync(schema.Url, theirs, "done", "{'x': 1}");
        await ResultPeer.CheckAsync(schema.Url, (ours, "7"), (theirs, "{'x': 1}"));

        Assert.Equal(new Dictionary<string, object?> { ["x"] = 1L }, (await store.ReadAsync(theirs))!.Value);
        Assert.Equal(2L, await ResultPostgres.ScalarAsync("SELECT count(*) FROM celery_taskmeta", schema.Name));
        Assert.Equal(2L, await ResultPostgres.ScalarAsync("SELECT last_value FROM task_id_sequence", schema.Name));
    }

    [Fact]
    public async Task The_cadasta_platform_table_with_timestamptz_and_no_extended_columns_works_unchanged()
    {
        await using var schema = await ScratchSchema.CreateAsync();
        // cadasta/tasks/migrations/0001_initial.py: serial id whose sequence is renamed for Celery, timestamptz date_done.
        await ResultPostgres.ExecuteAsync(
            """
            CREATE TABLE celery_taskmeta (id serial PRIMARY KEY, task_id varchar(155) UNIQUE, status varchar(50) NOT NULL,
              result bytea, date_done timestamp with time zone, traceback text);
            ALTER SEQUENCE celery_taskmeta_id_seq RENAME TO task_id_sequence;
            """,
            schema.Name);
        var before = await DescribeAsync(schema.Name);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 10, 30, 0, TimeSpan.Zero));
        var taskId = ResultPostgres.NewTaskId("platform");
        // A session time zone far from UTC: a naive timestamp would be shifted by it.
        var url = schema.Url + "%20-ctimezone%3DAmerica/New_York";

        await using (var store = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = url, ResultExtended = true }, null, clock))
        {
            await store.StoreAsync(TaskResult.Started(taskId, 1, "celery@dotnet"));
            await store.StoreAsync(TaskResult.Success(taskId, new Dictionary<string, object?> { ["links"] = new List<object?>() }));
            Assert.Equal(clock.GetUtcNow(), (await store.ReadAsync(taskId))!.DateDone);
        }

        Assert.Equal(
            new DateTime(2026, 11, 28, 10, 30, 0),
            await ResultPostgres.ScalarAsync($"SELECT date_done AT TIME ZONE 'UTC' FROM celery_taskmeta WHERE task_id = '{taskId}'", schema.Name));
        var columnsBefore = before.Where(line => line.StartsWith("col celery_taskmeta.", StringComparison.Ordinal)).ToList();
        var columnsAfter = (await DescribeAsync(schema.Name)).Where(line => line.StartsWith("col celery_taskmeta.", StringComparison.Ordinal)).ToList();
        Assert.Equal(columnsBefore, columnsAfter);
        await ResultPeer.CheckAsync(schema.Url, (taskId, "{'links': []}"));
    }

    private static async Task<List<string>> DescribeAsync(string schema)
    {
        await using var connection = await ResultPostgres.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT 'col ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                   || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                   || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                 LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
            UNION ALL
            SELECT 'con ' || co.conname || ' ' || pg_get_constraintdef(co.oid)
            FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace WHERE n.nspname = $1
            UNION ALL
            SELECT 'idx ' || indexname FROM pg_indexes WHERE schemaname = $1
            UNION ALL
            SELECT 'seq ' || sequencename || ' ' || data_type || ' ' || start_value || ' ' || increment_by
            FROM pg_sequences WHERE schemaname = $1
            ORDER BY 1
            """,
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = schema });
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return lines;
    }
}
