using Cadasta.WorkerToolbox.Monitoring;

namespace Cadasta.WorkerToolbox.Tests.Monitoring;

public sealed class SqlTaskRecordStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
    private readonly SqliteTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Creates_the_table_and_its_indexes_once()
    {
        await using var store = _database.CreateStore();

        await store.EnsureSchemaAsync();
        await store.EnsureSchemaAsync();

        var indexes = _database.Scalar(
            "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cadasta_task_record' AND sql IS NOT NULL ORDER BY name)");
        Assert.Equal(
            "cadasta_task_record_created_id_idx,cadasta_task_record_created_idx,cadasta_task_record_creator_created_idx,cadasta_task_record_root_id_idx," +
            "cadasta_task_record_task_id_key,cadasta_task_record_type_created_idx",
            indexes);
        Assert.Contains("UNIQUE", (string)_database.Scalar("SELECT sql FROM sqlite_master WHERE name = 'cadasta_task_record_task_id_key'")!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_field_round_trips()
    {
        await using var store = _database.CreateStore();
        await store.EnsureSchemaAsync();
        var record = TaskRecordBuilder.Build(
            PlatformMessages.ExportProject("e1"),
            new TaskArguments(["a", 1L, 2.5, true, null, new List<object?> { "x" }], new Dictionary<string, object?> { ["org_slug"] = "org", ["nested"] = new Dictionary<string, object?> { ["é"] = "ü" } }),
            T0.AddTicks(1234560));

        var added = await store.AddIfAbsentAsync([record]);
        var found = await store.FindAsync("e1");

        Assert.Equal(["e1"], added);
        Assert.NotNull(found);
        Assert.Equal("PENDING", found.Status);
        var read = found.Record;
        Assert.Equal(record.TaskId, read.TaskId);
        Assert.Equal(record.TaskName, read.TaskName);
        Assert.Equal(record.RootId, read.RootId);
        Assert.Null(read.ParentId);
        Assert.Equal("user123", read.CreatorId);
        Assert.Equal(42L, read.RelatedContentTypeId);
        Assert.Equal("prj123", read.RelatedObjectId);
        Assert.Equal(record.Created, read.Created);
        Assert.Equal(JsonColumn.Write(record.Args), JsonColumn.Write(read.Args));
        Assert.Equal(JsonColumn.Write(record.Kwargs), JsonColumn.Write(read.Kwargs));
        Assert.Equal(JsonColumn.Write(record.Options), JsonColumn.Write(read.Options));
    }

    [Fact]
    public async Task An_existing_task_id_is_left_as_it_was()
    {
        await using var store = _database.CreateStore();
        await store.EnsureSchemaAsync();
        await store.AddIfAbsentAsync([PlatformMessages.Record("a", "first.name")]);

        var added = await store.AddIfAbsentAsync([PlatformMessages.Record("a", "second.name"), PlatformMessages.Record("b"), PlatformMessages.Record("b", "third.name")]);

        Assert.Equal(["b"], added);
        Assert.Equal("first.name", (await store.FindAsync("a"))!.Record.TaskName);
        Assert.Equal("msg.add", (await store.FindAsync("b"))!.Record.TaskName);
        Assert.Equal(2L, _database.Scalar("SELECT COUNT(*) FROM cadasta_task_record"));
    }

    [Fact]
    public async Task Concurrent_writers_record_each_id_once()
    {
        await using var store = _database.CreateStore();
        await store.EnsureSchemaAsync();
        var ids = Enumerable.Range(0, 200).Select(i => $"id-{i}").ToList();

        // Four writers, each with its own connection, insert overlapping batches at once.
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            await using var own = _database.CreateStore();
            var added = new List<string>();
            foreach (var chunk in ids.Skip(w * 10).Concat(ids.Take(w * 10)).Chunk(25))
            {
                added.AddRange(await own.AddIfAbsentAsync([.. chunk.Select(id => PlatformMessages.Record(id))]));
            }

            return added;
        })).ToList();
        var addedByAll = (await Task.WhenAll(writers)).SelectMany(added => added).ToList();

        Assert.Equal(ids.Order(StringComparer.Ordinal), addedByAll.Order(StringComparer.Ordinal));
        Assert.Equal(200L, _database.Scalar("SELECT COUNT(*) FROM cadasta_task_record"));
    }

    [Fact]
    public async Task A_batch_larger_than_one_statement_is_written_whole()
    {
        await using var store = _database.CreateStore();
        await store.EnsureSchemaAsync();

        var added = await store.AddIfAbsentAsync([.. Enumerable.Range(0, 1201).Select(i => PlatformMessages.Record($"big-{i}"))]);

        Assert.Equal(1201, added.Count);
        Assert.Equal(1201L, _database.Scalar("SELECT COUNT(*) FROM cadasta_task_record"));
    }

    [Fact]
    public async Task Status_comes_from_the_celery_result_table_and_is_pending_without_a_row()
    {
        await using var store = _database.CreateStore();
        await store.EnsureSchemaAsync();
        await store.AddIfAbsentAsync([PlatformMessages.Record("done"), PlatformMessages.Record("waiting")]);
        _database.CreateCeleryResultTable();
        _database.SetStatus("done", "SUCCESS");

        Assert.Equal("SUCCESS", (await store.FindAsync("done"))!.Status);
        Assert.Equal("PENDING", (await store.FindAsync("waiting"))!.Status);
        Assert.Null(await store.FindAsync("never-recorded"));
    }

    [Fact]
    public async Task A_family_is_every_task_of_the_root_oldest_first()
    {
        await using var store = _database.CreateStore();
        await store.EnsureSchemaAsync();
        await store.AddIfAbsentAsync([
            PlatformMessages.Record("child-2", rootId: "root", created: T0.AddSeconds(2)),
            PlatformMessages.Record("root", created: T0),
            PlatformMessages.Record("other", created: T0.AddSeconds(1)),
            PlatformMessages.Record("child-1", rootId: "root", created: T0.AddSeconds(1)),
        ]);

        var family = await store.FindFamilyAsync("root");

        Assert.Equal(["root", "child-1", "child-2"], family.Select(task => task.Record.TaskId));
        Assert.Empty(await store.FindFamilyAsync("nobody"));
    }

    [Fact]
    public async Task Recent_tasks_are_the_newest_ones_listed_oldest_first()
    {
        await using var store = _database.CreateStore();
        await store.EnsureSchemaAsync();
        await store.AddIfAbsentAsync([.. Enumerable.Range(0, 10).Select(i => PlatformMessages.Record($"t{i}", created: T0.AddMinutes(i)))]);
        _database.CreateCeleryResultTable();
        _database.SetStatus("t9", "STARTED");

        var recent = await store.ListRecentAsync(3);

        Assert.Equal(["t7", "t8", "t9"], recent.Select(task => task.Record.TaskId));
        Assert.Equal(["PENDING", "PENDING", "STARTED"], recent.Select(task => task.Status));
    }

    [Fact]
    public void Table_names_that_could_inject_sql_are_refused() =>
        Assert.Throws<ArgumentException>(() => new SqlTaskRecordStore(SqlDialect.Sqlite, _database.CreateConnection, "x; DROP TABLE y"));
}
