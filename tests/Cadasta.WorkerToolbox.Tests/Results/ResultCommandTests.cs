using System.CommandLine;
using System.Text.Json;
using Cadasta.WorkerToolbox.Cli.Commands;
using Cadasta.WorkerToolbox.Results;

namespace Cadasta.WorkerToolbox.Tests.Results;

public sealed class ResultCommandTests : IDisposable
{
    private readonly TempSqliteFile file = new();

    public void Dispose() => file.Dispose();

    [Fact]
    public async Task Success_exits_0_and_prints_celerys_json_shape()
    {
        await StoreAsync(TaskResult.Success("ok", new Dictionary<string, object?> { ["links"] = new List<object?> { 1L, 2.5, "é" } }));

        var (exit, output, _) = await RunAsync("result", "ok", "--json", "--backend", file.Url);

        Assert.Equal(ResultCommand.ExitSuccess, exit);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(["task_id", "status", "result", "traceback", "date_done"], root.EnumerateObject().Select(property => property.Name));
        Assert.Equal("ok", root.GetProperty("task_id").GetString());
        Assert.Equal("SUCCESS", root.GetProperty("status").GetString());
        Assert.Equal("[1,2.5,\"é\"]", root.GetProperty("result").GetProperty("links").GetRawText());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("traceback").ValueKind);
        Assert.EndsWith("+00:00\"}", output.TrimEnd(), StringComparison.Ordinal);
        Assert.True(DateTimeOffset.TryParse(root.GetProperty("date_done").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));
    }

    [Fact]
    public async Task Failure_exits_1_and_shows_the_exception_dict_and_traceback()
    {
        await StoreAsync(TaskResult.Failure("bad", new TaskError("ValueError", "builtins", ["boom", 5L]), "Traceback\nValueError: ('boom', 5)"));

        var (exit, output, _) = await RunAsync("result", "bad", "--json", "--backend", file.Url);
        var (textExit, text, _) = await RunAsync("result", "bad", "--backend", file.Url);

        Assert.Equal(ResultCommand.ExitFailure, exit);
        Assert.Equal(ResultCommand.ExitFailure, textExit);
        using var json = JsonDocument.Parse(output);
        var result = json.RootElement.GetProperty("result");
        Assert.Equal("ValueError", result.GetProperty("exc_type").GetString());
        Assert.Equal("[\"boom\",5]", result.GetProperty("exc_message").GetRawText());
        Assert.Equal("builtins", result.GetProperty("exc_module").GetString());
        Assert.StartsWith("Traceback", json.RootElement.GetProperty("traceback").GetString(), StringComparison.Ordinal);
        Assert.Contains("status: FAILURE", text, StringComparison.Ordinal);
        Assert.Contains("builtins.ValueError: ('boom', 5)", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("STARTED")]
    [InlineData("RETRY")]
    public async Task Not_done_exits_2(string? state)
    {
        if (state is not null)
        {
            await StoreAsync(new TaskResult { TaskId = "wip", State = state });
        }
        else
        {
            await StoreAsync(TaskResult.Success("other", 1L));
        }

        var (exit, output, _) = await RunAsync("result", "wip", "--json", "--backend", file.Url);

        Assert.Equal(ResultCommand.ExitNotReady, exit);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(state ?? "PENDING", json.RootElement.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("date_done").ValueKind);
    }

    [Fact]
    public async Task An_unusable_backend_exits_3_without_showing_the_password()
    {
        var (exit, _, error) = await RunAsync("result", "x", "--backend", "db+mysql://u:secret@h/d");

        Assert.Equal(ResultCommand.ExitBackendError, exit);
        Assert.Contains("not supported", error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_setting_exits_3_with_one_line_naming_it()
    {
        var (exit, output, error) = await RunAsync(new Dictionary<string, string> { ["CELERY_WORKER_CONCURRENCY"] = "abc" }, "result", "x");

        Assert.Equal(ResultCommand.ExitBackendError, exit);
        Assert.Empty(output);
        Assert.StartsWith("Invalid configuration: Environment variable CELERY_WORKER_CONCURRENCY has the value 'abc'", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) => RunAsync(null, args);

    private static async Task<(int Exit, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var root = new RootCommand();
        root.Subcommands.Add(ResultCommand.Create(environment));
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    private async Task StoreAsync(TaskResult result)
    {
        await using var store = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = file.Url });
        await store.StoreAsync(result);
    }
}
