using Cadasta.WorkerToolbox.Results;
using Microsoft.Extensions.Time.Testing;

namespace Cadasta.WorkerToolbox.Tests.Results;

public sealed class SqliteResultStoreTests : IDisposable
{
    private readonly TempSqliteFile file = new();
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero));

    public void Dispose() => file.Dispose();

    [Fact]
    public async Task Creates_celerys_tables_with_celerys_columns()
    {
        await using (var store = CreateStore())
        {
            await store.EnsureSchemaAsync();
        }

        var taskSql = (string)file.Scalar("SELECT sql FROM sqlite_master WHERE name = 'celery_taskmeta'")!;
        var groupSql = (string)file.Scalar("SELECT sql FROM sqlite_master WHERE name = 'celery_tasksetmeta'")!;
        Assert.Equal(Normalize(CeleryResultSchema.SqliteTaskTableDdl.Replace("IF NOT EXISTS ", "", StringComparison.Ordinal)), Normalize(taskSql));
        Assert.Equal(Normalize(CeleryResultSchema.SqliteGroupTableDdl.Replace("IF NOT EXISTS ", "", StringComparison.Ordinal)), Normalize(groupSql));
        Assert.Contains("id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT", taskSql, StringComparison.Ordinal);
        Assert.Contains("UNIQUE (task_id)", taskSql, StringComparison.Ordinal);
        Assert.Contains("queue VARCHAR(155)", taskSql, StringComparison.Ordinal);
        Assert.Contains("UNIQUE (taskset_id)", groupSql, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Works_on_a_table_without_the_extended_columns_and_keeps_its_data()
    {
        using (var connection = file.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                CREATE TABLE celery_taskmeta (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, task_id VARCHAR(155) UNIQUE,
                  status VARCHAR(50) NOT NULL, result BLOB, date_done DATETIME, traceback TEXT);
                INSERT INTO celery_taskmeta (task_id, status, result) VALUES ('old', 'SUCCESS', X'80054b032e');
                """;
            command.ExecuteNonQuery();
        }

        var logger = new ListLogger();
        await using (var store = DatabaseResultStore.Create(new ResultStoreOptions { BackendUrl = file.Url, ResultExtended = true }, logger, clock))
        {
            await store.StoreAsync(TaskResult.Success("new", 7L) with { Name = "msg.add" });
            Assert.Contains(logger.Lines, line => line.Message.Contains("has no name/args/kwargs/worker/retries/queue columns", StringComparison.Ordinal));
            Assert.Equal(3L, (await store.ReadAsync("old"))!.Value);
            Assert.Equal(7L, (await store.ReadAsync("new"))!.Value);
        }

        Assert.Equal(2L, file.Scalar("SELECT count(*) FROM celery_taskmeta"));
    }

    [Fact]
    public async Task Stores_and_reads_every_state()
    {
        await using var store = CreateStore();
        var error = new TaskError("ValueError", "builtins", ["boom", 5L]);
        TaskResult[] written =
        [
            TaskResult.Started("t-started", 4242, "celery@host"),
            TaskResult.Success("t-success", new Dictionary<string, object?> { ["links"] = new List<object?> { "a" } }),
            TaskResult.Failure("t-failure", error, "Traceback (most recent call last):\nValueError: ('boom', 5)\n"),
            TaskResult.Retry("t-retry", new TaskError("KeyError", "builtins", ["k"]), "tb"),
            TaskResult.Retry("t-retry-bare", null, null),
            TaskResult.Revoked("t-revoked", "expired"),
            new TaskResult { TaskId = "t-custom", State = "PROGRESS", Value = new Dictionary<string, object?> { ["done"] = 3L } },
        ];

        foreach (var result in written)
        {
            await store.StoreAsync(result);
        }

        foreach (var result in written)
        {
            var read = await store.ReadAsync(result.TaskId);
            Assert.NotNull(read);
            Assert.Equal(result.State, read.State);
            Assert.True(JsonLikeEquality.ValueEquals(result.Value, read.Value));
            Assert.Equal(result.Error, read.Error);
            Assert.Equal(result.Traceback, read.Traceback);
            Assert.Equal(result.IsReady, read.DateDone is not null);
        }

        Assert.Null(await store.ReadAsync("never-written"));
        var revoked = (await store.ReadAsync("t-revoked"))!.Error!;
        Assert.Equal(("TaskRevokedError", "celery.exceptions", "expired"), (revoked.ExceptionType, revoked.ExceptionModule, revoked.Message));
    }

    [Fact]
    public async Task Date_done_is_utc_in_sqlalchemys_text_format_for_ready_states()
    {
        await using var store = CreateStore();

        await store.StoreAsync(TaskResult.Success("done", 1L));

        Assert.Equal("2026-11-28 10:00:00.000000", file.Scalar("SELECT date_done FROM celery_taskmeta WHERE task_id = 'done'"));
        Assert.Equal(clock.GetUtcNow(), (await store.ReadAsync("done"))!.DateDone);
    }

    [Fact]
    public async Task Date_done_follows_celery_5_2_for_states_that_are_not_ready()
    {
        // Same sequence as run against Celery 5.2.6 + SQLAlchemy 1.4 (facts §7.2): the ORM writes NULL when the row
        // had a date and lets onupdate=utcnow fire when the row already had NULL and something else changed.
        await using var store = CreateStore();
        async Task<object?> Step(TaskResult result)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await store.StoreAsync(result);
            return file.Scalar("SELECT date_done FROM celery_taskmeta WHERE task_id = $id", ("$id", result.TaskId));
        }

        Assert.Null(await Step(TaskResult.Started("a", 1, "h")));
        Assert.Equal("2026-11-28 10:00:02.000000", await Step(TaskResult.Started("a", 2, "h")));
        Assert.Null(await Step(TaskResult.Retry("a", new TaskError("KeyError", "builtins", ["k"]), "tb")));
        Assert.Equal("2026-11-28 10:00:04.000000", await Step(TaskResult.Started("a", 1, "h")));
        Assert.Equal("2026-11-28 10:00:05.000000", await Step(TaskResult.Success("a", 3L)));
        Assert.Null(await Step(TaskResult.Retry("r", new TaskError("KeyError", "builtins", ["k"]), "tb")));
        Assert.Null(await Step(TaskResult.Retry("r", new TaskError("KeyError", "builtins", ["k"]), "tb")));
    }

    [Fact]
    public async Task Storing_the_same_task_again_updates_its_one_row_and_the_later_write_wins()
    {
        await using var store = CreateStore();

        await store.StoreAsync(TaskResult.Started("same", 1, "h"));
        await store.StoreAsync(TaskResult.Success("same", "first"));
        await store.StoreAsync(TaskResult.Success("same", "first"));
        await store.StoreAsync(TaskResult.Success("same", "second"));

        Assert.Equal(1L, file.Scalar("SELECT count(*) FROM celery_taskmeta WHERE task_id = 'same'"));
        Assert.Equal(1L, file.Scalar("SELECT id FROM celery_taskmeta WHERE task_id = 'same'"));
        Assert.Equal("second", (await store.ReadAsync("same"))!.Value);
    }

    [Fact]
    public async Task A_thousand_concurrent_stores_all_commit_in_fewer_batches()
    {
        await using var store = CreateStore();
        await store.EnsureSchemaAsync();

        var writes = Enumerable.Range(0, 1000).Select(index => Task.Run(() => store.StoreAsync(index % 3 == 0
            ? TaskResult.Failure($"task-{index}", new TaskError("ValueError", "builtins", [index]), "tb")
            : TaskResult.Success($"task-{index}", (long)index)))).ToArray();
        await Task.WhenAll(writes);

        Assert.Equal(1000L, file.Scalar("SELECT count(*) FROM celery_taskmeta"));
        Assert.Equal(334L, file.Scalar("SELECT count(*) FROM celery_taskmeta WHERE status = 'FAILURE'"));
        Assert.Equal(666L, file.Scalar("SELECT count(*) FROM celery_taskmeta WHERE status = 'SUCCESS'"));
        for (var index = 0; index < 1000; index += 37)
        {
            var read = (await store.ReadAsync($"task-{index}"))!;
            if (index % 3 == 0)
            {
                Assert.Equal(new object?[] { (long)index }, read.Error!.Arguments);
            }
            else
            {
                Assert.Equal((long)index, read.Value);
            }
        }

        Assert.True(store.Coalescer.LargestBatch > 1, "concurrent writes were never batched");
        Assert.True(store.Coalescer.BatchesWritten < 1000);
    }

    [Fact]
    public async Task A_lone_store_completes_without_any_timer()
    {
        // The clock never moves here: a coalescer that lingered on a timer before writing would hang.
        await using var store = CreateStore();

        await store.StoreAsync(TaskResult.Success("lone", 1L));

        Assert.Equal(1L, store.Coalescer.BatchesWritten);
    }

    [Fact]
    public async Task Extended_columns_are_written_only_when_result_extended_is_on()
    {
        await using (var plain = CreateStore())
        {
            await plain.StoreAsync(TaskResult.Success("plain", 1L) with { Name = "msg.add", Worker = "w@h" });
        }

        await using (var extended = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = file.Url, ResultExtended = true }, null, clock))
        {
            await extended.StoreAsync(TaskResult.Success("ext", 3L) with
            {
                Name = "msg.add",
                Args = [1L, 2L],
                Kwargs = new Dictionary<string, object?> { ["k"] = "v" },
                Worker = "celery@host",
                Retries = 2,
                Queue = "msg",
            });
            var read = (await extended.ReadAsync("ext"))!;
            Assert.Equal("msg.add", read.Name);
            Assert.Equal(new object?[] { 1L, 2L }, read.Args);
            Assert.Equal("v", read.Kwargs!["k"]);
            Assert.Equal(("celery@host", 2, "msg"), (read.Worker, read.Retries, read.Queue));
        }

        Assert.Null(file.Scalar("SELECT name FROM celery_taskmeta WHERE task_id = 'plain'"));
        Assert.Equal("[1,2]", System.Text.Encoding.UTF8.GetString((byte[])file.Scalar("SELECT args FROM celery_taskmeta WHERE task_id = 'ext'")!));
        Assert.Equal("{\"k\":\"v\"}", System.Text.Encoding.UTF8.GetString((byte[])file.Scalar("SELECT kwargs FROM celery_taskmeta WHERE task_id = 'ext'")!));
    }

    [Fact]
    public async Task A_cancelled_store_throws_instead_of_reporting_success()
    {
        await using var store = CreateStore();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.StoreAsync(TaskResult.Success("c", 1L), cancelled.Token));
    }

    [Fact]
    public async Task A_row_that_the_database_rejects_fails_alone_and_its_batch_mates_are_stored()
    {
        await using var store = CreateStore();
        await store.EnsureSchemaAsync();
        using (var connection = file.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "CREATE TRIGGER refuse BEFORE INSERT ON celery_taskmeta WHEN NEW.task_id = 'bad' BEGIN SELECT RAISE(ABORT, 'refused'); END;";
            command.ExecuteNonQuery();
        }

        var writes = Enumerable.Range(0, 50).Select(index => store.StoreAsync(TaskResult.Success(index == 25 ? "bad" : $"ok-{index}", 1L))).ToArray();
        var outcome = await Task.WhenAll(writes.Select(async write =>
        {
            try
            {
                await write;
                return null;
            }
            catch (ResultStoreException exception)
            {
                return exception;
            }
        }));

        Assert.Single(outcome, exception => exception is not null);
        Assert.Contains("bad", outcome[25]!.Message, StringComparison.Ordinal);
        Assert.Equal(49L, file.Scalar("SELECT count(*) FROM celery_taskmeta"));
    }

    private static string Normalize(string sql) => string.Join(' ', sql.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private DatabaseResultStore CreateStore() => new(new ResultStoreOptions { BackendUrl = file.Url }, null, clock);
}
