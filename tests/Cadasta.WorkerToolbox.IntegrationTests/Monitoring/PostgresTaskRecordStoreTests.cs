using Cadasta.WorkerToolbox.Monitoring;

namespace Cadasta.WorkerToolbox.IntegrationTests.Monitoring;

public sealed class PostgresTaskRecordStoreTests
{
    private static TaskRecord Record(string id, string? rootId = null, DateTimeOffset? created = null, bool isResult = false) => new()
    {
        TaskId = id,
        TaskName = "msg.add",
        Args = [1L, "two", 3.5, null],
        Kwargs = new Dictionary<string, object?> { ["k"] = new Dictionary<string, object?> { ["nested"] = "é\u0000x" } },
        Options = new Dictionary<string, object?> { ["is_result"] = isResult, ["related_content_type_id"] = 42L },
        RootId = rootId ?? id,
        CreatorId = "user123",
        RelatedContentTypeId = 42,
        RelatedObjectId = "prj123",
        Created = created ?? new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero).AddTicks(1234560),
    };

    [Fact]
    public async Task Records_round_trip_and_an_existing_id_is_left_alone()
    {
        await using var store = await MonitorDatabase.CreateStoreAsync();
        var id = Guid.NewGuid().ToString();

        var first = await store.AddIfAbsentAsync([Record(id)]);
        var second = await store.AddIfAbsentAsync([Record(id) with { TaskName = "other.name" }]);
        var found = await store.FindAsync(id);

        Assert.Equal([id], first);
        Assert.Empty(second);
        Assert.NotNull(found);
        Assert.Equal("msg.add", found.Record.TaskName);
        Assert.Equal(Record(id).Created, found.Record.Created);
        Assert.Equal(42L, found.Record.RelatedContentTypeId);
        Assert.Equal("é\u0000x", ((IReadOnlyDictionary<string, object?>)found.Record.Kwargs["k"]!)["nested"]);
        Assert.Equal(JsonColumn.Write(Record(id).Args), JsonColumn.Write(found.Record.Args));
        Assert.Equal(1L, await MonitorDatabase.ScalarAsync("SELECT COUNT(*) FROM cadasta_task_record WHERE task_id = @id", ("id", id)));
    }

    [Fact]
    public async Task Concurrent_writers_and_schema_creators_record_each_id_once()
    {
        var table = $"monitor_test_{Guid.NewGuid():N}";
        try
        {
            var ids = Enumerable.Range(0, 300).Select(_ => Guid.NewGuid().ToString()).ToList();
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                // Each writer creates the (missing) table itself, as monitors starting together do.
                await using var store = await MonitorDatabase.CreateStoreAsync(table);
                var added = new List<string>();
                foreach (var chunk in ids.Skip(w * 37).Concat(ids.Take(w * 37)).Chunk(50))
                {
                    added.AddRange(await store.AddIfAbsentAsync([.. chunk.Select(id => Record(id))]));
                }

                return added;
            })).ToList();

            var addedByAll = (await Task.WhenAll(writers)).SelectMany(added => added).ToList();

            Assert.Equal(ids.Order(StringComparer.Ordinal), addedByAll.Order(StringComparer.Ordinal));
            Assert.Equal(300L, await MonitorDatabase.ScalarAsync($"SELECT COUNT(*) FROM {table}"));
        }
        finally
        {
            await MonitorDatabase.ScalarAsync($"DROP TABLE IF EXISTS {table}");
        }
    }

    [Fact]
    public async Task The_table_has_the_documented_indexes()
    {
        await using var store = await MonitorDatabase.CreateStoreAsync();

        var indexes = await MonitorDatabase.ScalarAsync(
            "SELECT string_agg(indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'cadasta_task_record'");

        var text = Assert.IsType<string>(indexes);
        Assert.Contains("CREATE UNIQUE INDEX cadasta_task_record_task_id_key ON public.cadasta_task_record USING btree (task_id)", text, StringComparison.Ordinal);
        Assert.Contains("cadasta_task_record_root_id_idx ON public.cadasta_task_record USING btree (root_id)", text, StringComparison.Ordinal);
        Assert.Contains("cadasta_task_record_created_idx ON public.cadasta_task_record USING btree (created)", text, StringComparison.Ordinal);

        // The dashboard's keyset pages: newest first, overall, within one task name, within one creator.
        Assert.Contains("cadasta_task_record_created_id_idx ON public.cadasta_task_record USING btree (created, id)", text, StringComparison.Ordinal);
        Assert.Contains("cadasta_task_record_type_created_idx ON public.cadasta_task_record USING btree (type COLLATE \"C\", created, id)", text, StringComparison.Ordinal);
        Assert.Contains("cadasta_task_record_creator_created_idx ON public.cadasta_task_record USING btree (creator_id, created, id)", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_family_is_read_in_creation_order_with_states_from_celery_taskmeta()
    {
        await using var store = await MonitorDatabase.CreateStoreAsync();
        var root = Guid.NewGuid().ToString();
        var child = Guid.NewGuid().ToString();
        var t0 = DateTimeOffset.UtcNow;
        await store.AddIfAbsentAsync([Record(child, root, t0.AddSeconds(1)), Record(root, root, t0)]);

        var family = await store.FindFamilyAsync(root);

        Assert.Equal([root, child], family.Select(task => task.Record.TaskId));
        Assert.All(family, task => Assert.Equal("PENDING", task.Status));
    }
}
