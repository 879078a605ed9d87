using System.CommandLine;
using System.Text.Json;
using Cadasta.WorkerToolbox.Cli.Commands;
using Cadasta.WorkerToolbox.Monitoring;
using Cadasta.WorkerToolbox.Results;

namespace Cadasta.WorkerToolbox.Tests.Monitoring;

public sealed class TasksCommandTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
    private readonly SqliteTestDatabase _database = new();

    private string BackendUrl => "db+sqlite:///" + _database.FilePath;

    public void Dispose() => _database.Dispose();

    [Fact]
    public void The_table_has_id_name_status_parent_and_created_columns()
    {
        var table = TasksCommand.Table(
        [
            new TrackedTask(PlatformMessages.Record("root-task", "export.project", created: T0), "SUCCESS"),
            new TrackedTask(PlatformMessages.Record("child", "export.add", rootId: "root-task", created: T0.AddSeconds(61)) with { ParentId = "root-task" }, "PENDING"),
        ]);

        Assert.Equal(
            """
            id         name            status   parent     created
            root-task  export.project  SUCCESS  -          2026-11-28 09:00:00
            child      export.add      PENDING  root-task  2026-11-28 09:01:01
            """.ReplaceLineEndings("\n"),
            table);
    }

    [Fact]
    public async Task Lists_recent_tasks_as_json_with_status_and_result()
    {
        await SeedAsync();

        var (exit, output, _) = await RunAsync("tasks", "--json", "--limit", "2", "--backend", BackendUrl);

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        var tasks = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(["add", "result"], tasks.Select(task => task.GetProperty("task_id").GetString()));
        Assert.Equal("SUCCESS", tasks[0].GetProperty("status").GetString());
        Assert.Equal(4, tasks[0].GetProperty("result").GetInt64());
        Assert.Equal("root", tasks[0].GetProperty("root_id").GetString());
        Assert.Equal(JsonValueKind.Array, tasks[0].GetProperty("args").ValueKind);
        Assert.True(tasks[1].GetProperty("options").GetProperty("is_result").GetBoolean());
    }

    [Fact]
    public async Task Shows_a_family_with_its_overall_status_and_results()
    {
        await SeedAsync();

        var (exit, output, _) = await RunAsync("tasks", "--root", "root", "--backend", BackendUrl);
        var (jsonExit, jsonOutput, _) = await RunAsync("tasks", "--root", "root", "--json", "--backend", BackendUrl);

        Assert.Equal(0, exit);
        Assert.StartsWith("root: root\noverall status: STARTED\noverall results: [null]\nid ", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal(0, jsonExit);
        using var json = JsonDocument.Parse(jsonOutput);
        Assert.Equal("STARTED", json.RootElement.GetProperty("overall_status").GetString());
        Assert.Equal(3, json.RootElement.GetProperty("tasks").GetArrayLength());
    }

    [Fact]
    public async Task An_unknown_root_exits_with_one()
    {
        await SeedAsync();

        var (exit, _, error) = await RunAsync("tasks", "--root", "nobody", "--backend", BackendUrl);

        Assert.Equal(TasksCommand.ExitNotFound, exit);
        Assert.Contains("nobody", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unusable_backend_url_exits_with_three()
    {
        var (exit, _, error) = await RunAsync("tasks", "--backend", "redis://localhost");

        Assert.Equal(TasksCommand.ExitDatabaseError, exit);
        Assert.Contains("db+", error, StringComparison.Ordinal);
    }

    private async Task SeedAsync()
    {
        await using var store = TaskRecordStore.Create(BackendUrl);
        await using var results = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = BackendUrl });
        await store.EnsureSchemaAsync();
        await store.AddIfAbsentAsync(
        [
            PlatformMessages.Record("root", "export.project", created: T0),
            PlatformMessages.Record("add", "export.add", rootId: "root", created: T0.AddSeconds(1)),
            PlatformMessages.Record("result", "export.utils.create_result", rootId: "root", created: T0.AddSeconds(2), isResult: true),
        ]);
        await results.StoreAsync(TaskResult.Success("root", true));
        await results.StoreAsync(TaskResult.Success("add", 4L));
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var root = new RootCommand { TasksCommand.Create(new Dictionary<string, string>()) };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }
}
