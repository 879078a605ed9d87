using Cadasta.WorkerToolbox.Monitoring;
using Cadasta.WorkerToolbox.Results;

namespace Cadasta.WorkerToolbox.Tests.Monitoring;

/// <summary>
/// The dashboard's queries on SQLite (a file of its own per test): keyset pages, filters, counts, activity, the
/// tasks added after a known one, one task with its result, a family with done times.
/// </summary>
public sealed class TaskRecordBrowserTests : IAsyncDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
    private readonly SqliteTestDatabase _database = new();
    private readonly ITaskRecordStore _store;
    private readonly DatabaseResultStore _results;
    private readonly TaskRecordBrowser _browser;

    public TaskRecordBrowserTests()
    {
        var url = "db+sqlite:///" + _database.FilePath;
        _store = TaskRecordStore.Create(url);
        _results = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = url });
        _browser = TaskRecordBrowser.Create(url);
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _results.DisposeAsync();
        await _store.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task Without_tables_every_answer_is_empty_and_nothing_is_created()
    {
        Assert.Empty((await _browser.ListAsync(new TaskListQuery())).Items);
        Assert.Empty(await _browser.CountByStateAsync());
        Assert.Empty(await _browser.GetActivityAsync(T0));
        Assert.Equal(0, await _browser.GetLastIdAsync());
        Assert.Null(await _browser.GetTaskAsync("nope"));
        Assert.Equal(0L, _database.Scalar("SELECT COUNT(*) FROM sqlite_master"));
    }

    [Fact]
    public async Task Keyset_pages_walk_every_task_newest_first_without_gaps_or_repeats()
    {
        await _store.EnsureSchemaAsync();

        // 53 tasks; some share a creation time, so the record id must order them.
        var records = Enumerable.Range(0, 53).Select(i => PlatformMessages.Record($"t{i:00}", created: T0.AddSeconds(i / 3))).ToList();
        await _store.AddIfAbsentAsync(records);

        var seen = new List<string>();
        TaskListCursor? cursor = null;
        var pages = 0;
        do
        {
            var page = await _browser.ListAsync(new TaskListQuery { Limit = 10, Before = cursor });
            seen.AddRange(page.Items.Select(item => item.Task.Record.TaskId));
            cursor = page.Next;
            pages++;
            if (cursor is not null)
            {
                Assert.True(TaskListCursor.TryParse(cursor.ToString(), out var parsed));
                Assert.Equal(cursor, parsed);
            }
        }
        while (cursor is not null);

        Assert.Equal(6, pages);
        Assert.Equal(records.Select(record => record.TaskId).Reverse(), seen);
    }

    [Fact]
    public async Task Filters_by_state_name_prefix_creator_and_time_combine()
    {
        await _store.EnsureSchemaAsync();
        await _store.AddIfAbsentAsync(
        [
            PlatformMessages.Record("a", "export.project", created: T0) with { CreatorId = "alice" },
            PlatformMessages.Record("b", "export.project.xls", created: T0.AddMinutes(1)) with { CreatorId = "alice" },
            PlatformMessages.Record("c", "msg.add", created: T0.AddMinutes(2)) with { CreatorId = "bob" },
            PlatformMessages.Record("d", "export_project", created: T0.AddMinutes(3)),
            PlatformMessages.Record("e", "msg.add", created: T0.AddMinutes(4)),
        ]);
        await _results.StoreAsync(TaskResult.Success("a", true));
        await _results.StoreAsync(TaskResult.Failure("b", new TaskError("ValueError", "builtins", ["x"]), null));
        await _results.StoreAsync(TaskResult.Started("c", 1, "celery@vm"));

        async Task<string[]> Ids(TaskListQuery query) => [.. (await _browser.ListAsync(query)).Items.Select(item => item.Task.Record.TaskId)];

        Assert.Equal(["e", "d", "c", "b", "a"], await Ids(new TaskListQuery()));
        Assert.Equal(["a"], await Ids(new TaskListQuery { State = "SUCCESS" }));
        Assert.Equal(["e", "d"], await Ids(new TaskListQuery { State = "PENDING" }));
        Assert.Equal(["a"], await Ids(new TaskListQuery { Name = "export.project" }));

        // A prefix is a prefix: '_' in export_project is not a wildcard matching '.'.
        Assert.Equal(["b", "a"], await Ids(new TaskListQuery { Name = "export.*" }));
        Assert.Equal(["d"], await Ids(new TaskListQuery { Name = "export_*" }));
        Assert.Equal(["b", "a"], await Ids(new TaskListQuery { CreatorId = "alice" }));
        Assert.Equal(["c", "b"], await Ids(new TaskListQuery { CreatedFrom = T0.AddMinutes(1), CreatedTo = T0.AddMinutes(3) }));
        Assert.Equal(["b"], await Ids(new TaskListQuery { CreatorId = "alice", State = "FAILURE", Name = "export.*" }));
        Assert.Empty(await Ids(new TaskListQuery { Name = "'; DROP TABLE cadasta_task_record; --" }));
        Assert.Equal(5L, _database.Scalar("SELECT COUNT(*) FROM cadasta_task_record"));
    }

    [Fact]
    public async Task Counts_states_activity_and_the_tasks_added_after_a_known_one()
    {
        await _store.EnsureSchemaAsync();
        await _store.AddIfAbsentAsync([PlatformMessages.Record("a"), PlatformMessages.Record("b"), PlatformMessages.Record("c"), PlatformMessages.Record("d")]);
        await _results.StoreAsync(TaskResult.Success("a", 1L));
        await _results.StoreAsync(TaskResult.Success("b", 1L));
        await _results.StoreAsync(TaskResult.Failure("c", new TaskError("ValueError", "builtins", ["x"]), null));

        var counts = await _browser.CountByStateAsync();
        Assert.Equal(new Dictionary<string, long> { ["SUCCESS"] = 2, ["FAILURE"] = 1, ["PENDING"] = 1 }, counts.ToDictionary());

        var activity = await _browser.GetActivityAsync(DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Equal(2, activity.Sum(bucket => bucket.Succeeded));
        Assert.Equal(1, activity.Sum(bucket => bucket.Failed));
        Assert.Empty(await _browser.GetActivityAsync(DateTimeOffset.UtcNow.AddMinutes(5)));

        var last = await _browser.GetLastIdAsync();
        var all = await _browser.ListAddedAfterAsync(0, 100);
        Assert.Equal(["a", "b", "c", "d"], all.Select(item => item.Task.Record.TaskId));
        Assert.Equal(last, all[^1].Id);
        Assert.Equal(["c", "d"], (await _browser.ListAddedAfterAsync(all[1].Id, 100)).Select(item => item.Task.Record.TaskId));
        Assert.Empty(await _browser.ListAddedAfterAsync(last, 100));
    }

    [Fact]
    public async Task A_task_comes_with_its_result_row_and_a_family_with_done_times_and_the_platforms_summary()
    {
        await _store.EnsureSchemaAsync();
        await _store.AddIfAbsentAsync(
        [
            PlatformMessages.Record("export", "export.project", created: T0),
            PlatformMessages.Record("unlock", TaskFamily.ChordUnlockTaskName, rootId: "export", created: T0.AddSeconds(1)) with { ParentId = "export" },
            PlatformMessages.Record("xls", "export.project.xls", rootId: "export", created: T0.AddSeconds(1)) with { ParentId = "export" },
            PlatformMessages.Record("result", "export.utils.create_result", rootId: "export", created: T0.AddSeconds(2), isResult: true) with { ParentId = "unlock" },
        ]);
        await _results.StoreAsync(TaskResult.Success("export", true));
        await _results.StoreAsync(TaskResult.Failure("xls", new TaskError("ValueError", "builtins", ["bad sheet"]), "Traceback (most recent call last): ..."));
        await _results.StoreAsync(TaskResult.Success("result", new Dictionary<string, object?> { ["links"] = new List<object?>() }));

        var task = await _browser.GetTaskAsync("xls");
        Assert.NotNull(task);
        Assert.Equal("FAILURE", task.Item.Task.Status);
        Assert.Equal("bad sheet", task.Result?.Error?.Message);
        Assert.StartsWith("Traceback", task.Result?.Traceback, StringComparison.Ordinal);
        Assert.NotNull(task.Item.DoneAt);
        Assert.Null((await _browser.GetTaskAsync("unlock"))!.Result);

        var family = await _browser.GetFamilyAsync("export");
        Assert.Equal(["export", "unlock", "xls", "result"], family.Items.Select(item => item.Task.Record.TaskId));
        Assert.Equal("FAILURE", family.Family.OverallStatus);
        Assert.Single(family.Family.OverallResults);
        Assert.Null(family.Items[1].DoneAt);
        Assert.All(family.Items.Where(item => item.Task.Record.TaskId != "unlock"), item => Assert.NotNull(item.Duration));
    }

    [Fact]
    public void A_cursor_text_that_is_not_one_is_refused()
    {
        foreach (var text in new[] { null, "", "x", "20261128T090000.000000Z", "20261128T090000.000000Z_", "20261128T090000.000000Z_-1", "2026_1", "20261128T090000.000000Z_1_2" })
        {
            Assert.False(TaskListCursor.TryParse(text, out _), text);
        }

        var cursor = new TaskListCursor(T0.AddTicks(1234560), 42);
        Assert.Equal("20261128T090000.123456Z_42", cursor.ToString());
    }
}
