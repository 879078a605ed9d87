using Cadasta.WorkerToolbox.Monitoring;
using Cadasta.WorkerToolbox.Results;

namespace Cadasta.WorkerToolbox.Tests.Monitoring;

/// <summary>
/// The platform's family queries over an <c>export.project</c>-shaped family (facts §6.5, §6.6): the export task,
/// two chord members, celery.chord_unlock polls, and the is_result task; states and pickled results in SQLite
/// through the real result store.
/// </summary>
public sealed class TaskFamilyQueryTests : IAsyncDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
    private readonly SqliteTestDatabase _database = new();
    private readonly ITaskRecordStore _store;
    private readonly DatabaseResultStore _results;
    private readonly TaskRecordQueries _queries;

    public TaskFamilyQueryTests()
    {
        var url = "db+sqlite:///" + _database.FilePath;
        _store = TaskRecordStore.Create(url);
        _results = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = url });
        _queries = new TaskRecordQueries(_store, _results);
    }

    public async ValueTask DisposeAsync()
    {
        await _results.DisposeAsync();
        await _store.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task A_finished_export_family_is_a_success_with_the_result_tasks_value()
    {
        await RecordExportFamilyAsync();
        await _results.StoreAsync(TaskResult.Success("export", true));
        await _results.StoreAsync(TaskResult.Success("add-1", 2L));
        await _results.StoreAsync(TaskResult.Success("add-2", 4L));
        await _results.StoreAsync(TaskResult.Success("create-result", Links()));

        var family = await _queries.GetFamilyAsync("export");

        Assert.Equal(["export", "unlock", "add-1", "add-2", "create-result"], family.Tasks.Select(task => task.Record.TaskId));
        Assert.Equal("PENDING", family.Tasks[1].Status); // chord_unlock stores nothing (ignore_result) and is ignored
        Assert.Equal("SUCCESS", family.OverallStatus);
        var result = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(Assert.Single(family.OverallResults));
        var link = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(Assert.Single(Assert.IsAssignableFrom<IEnumerable<object?>>(result["links"])));
        Assert.Equal("prj.zip", link["text"]);
        Assert.Equal("http://z/1", link["url"]);
    }

    [Fact]
    public async Task A_family_still_running_is_started_and_its_result_is_not_there_yet()
    {
        await RecordExportFamilyAsync();
        await _results.StoreAsync(TaskResult.Success("export", true));
        await _results.StoreAsync(TaskResult.Success("add-1", 2L));
        await _results.StoreAsync(TaskResult.Started("add-2", 1234, "celery@vm"));

        var family = await _queries.GetFamilyAsync("export");

        Assert.Equal("STARTED", family.OverallStatus);
        Assert.Equal([null], family.OverallResults);
    }

    [Fact]
    public async Task A_failed_member_fails_the_family_and_the_result_task_shows_celerys_exception_dict()
    {
        await RecordExportFamilyAsync();
        await _results.StoreAsync(TaskResult.Success("export", true));
        await _results.StoreAsync(TaskResult.Success("add-1", 2L));
        await _results.StoreAsync(TaskResult.Failure("add-2", new TaskError("ValueError", "builtins", ["boom"]), "Traceback ..."));
        await _results.StoreAsync(TaskResult.Failure("create-result", new TaskError("ChordError", "celery.exceptions", ["Dependency add-2 raised ValueError('boom')"]), null));

        var family = await _queries.GetFamilyAsync("export");

        Assert.Equal("FAILURE", family.OverallStatus);
        var error = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(Assert.Single(family.OverallResults));
        Assert.Equal("ChordError", error["exc_type"]);
        Assert.Equal("celery.exceptions", error["exc_module"]);
    }

    [Fact]
    public async Task A_task_and_recent_tasks_carry_their_states()
    {
        await RecordExportFamilyAsync();
        await _results.StoreAsync(TaskResult.Success("add-1", 2L));

        Assert.Equal("SUCCESS", (await _queries.GetTaskAsync("add-1"))!.Status);
        Assert.Equal("PENDING", (await _queries.GetTaskAsync("add-2"))!.Status);
        Assert.Null(await _queries.GetTaskAsync("unknown"));
        Assert.Equal(2L, await _queries.GetResultAsync("add-1"));
        Assert.Equal(["add-2", "create-result"], (await _queries.ListRecentAsync(2)).Select(task => task.Record.TaskId));
    }

    [Fact]
    public async Task An_unknown_root_is_an_empty_pending_family()
    {
        await _store.EnsureSchemaAsync();

        var family = await _queries.GetFamilyAsync("nobody");

        Assert.Empty(family.Tasks);
        Assert.Equal("PENDING", family.OverallStatus);
        Assert.Empty(family.OverallResults);
    }

    private static Dictionary<string, object?> Links() => new()
    {
        ["links"] = new List<object?> { new Dictionary<string, object?> { ["text"] = "prj.zip", ["url"] = "http://z/1" } },
    };

    private async Task RecordExportFamilyAsync()
    {
        await _store.EnsureSchemaAsync();
        await _results.EnsureSchemaAsync();
        TaskRecord Member(string id, string name, int second, string? parent, bool isResult = false) =>
            PlatformMessages.Record(id, name, rootId: "export", created: T0.AddSeconds(second), isResult: isResult) with { ParentId = parent };
        await _store.AddIfAbsentAsync(
        [
            Member("export", "export.project", 0, null),
            Member("unlock", "celery.chord_unlock", 1, "export"),
            Member("add-1", "export.add", 2, "export"),
            Member("add-2", "export.add", 3, "export"),
            Member("create-result", "export.utils.create_result", 4, "unlock", isResult: true),
        ]);
    }
}
