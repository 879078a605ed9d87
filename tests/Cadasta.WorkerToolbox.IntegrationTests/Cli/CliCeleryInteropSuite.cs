using System.Text.Json.Nodes;
using Cadasta.WorkerToolbox.Cli.Commands;
using Cadasta.WorkerToolbox.IntegrationTests.Worker;
using Cadasta.WorkerToolbox.TestSupport.Cli;

namespace Cadasta.WorkerToolbox.IntegrationTests.Cli;

/// <summary>
/// Our CLI next to real Celery 5.2.6: <c>send</c> publishes (configured only by environment variables,
/// as in a shell), a Python Celery worker runs the task, <c>result --json</c> reads Celery's row, and the
/// platform's kombu consumer reads the message from platform.fifo.
/// </summary>
public abstract class CliCeleryInteropSuite(InteropBroker broker)
{
    [Fact]
    public async Task A_task_sent_by_the_cli_runs_on_a_python_worker_and_the_cli_reads_its_result()
    {
        await broker.PythonWorkerAsync();

        var added = await SendAsync("py.add", "--args", "[2, 3]");
        var (exit, result) = await ResultAsync(added);
        Assert.Equal(ResultCommand.ExitSuccess, exit);
        Assert.Equal("SUCCESS", (string?)result["status"]);
        Assert.Equal(added, (string?)result["task_id"]);
        Assert.Equal(5, (int?)result["result"]);

        var echoed = await SendAsync("py.echo", "--args", """["Zürich 😀"]""", "--kwargs", """{"nested": {"list": [1, 2.5, null, false]}}""");
        (exit, result) = await ResultAsync(echoed);
        Assert.Equal(ResultCommand.ExitSuccess, exit);
        Assert.Equal(
            JsonNode.Parse("""{"args": ["Zürich 😀"], "kwargs": {"nested": {"list": [1, 2.5, null, false]}}}"""),
            result["result"],
            JsonNode.DeepEquals);
    }

    [Fact]
    public async Task A_task_that_fails_on_a_python_worker_exits_1_with_the_python_exception()
    {
        await broker.PythonWorkerAsync();

        var failed = await SendAsync("py.fail", "--args", """["no such project ✗"]""");
        var (exit, result) = await ResultAsync(failed);

        Assert.Equal(ResultCommand.ExitFailure, exit);
        Assert.Equal("FAILURE", (string?)result["status"]);
        Assert.Equal("ValueError", (string?)result["result"]!["exc_type"]);
        Assert.Equal("no such project ✗", (string?)result["result"]!["exc_message"]![0]);
        Assert.Contains("ValueError: no such project", (string?)result["traceback"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_task_sent_by_the_cli_reaches_the_platform_queue_with_its_custom_options()
    {
        var id = await SendAsync(
            "export.project", "--kwargs", """{"org_slug": "org", "project_slug": "prj", "api_key": "tok", "output_type": "xls"}""",
            "--option", "creator_id=\"user123\"", "--option", "related_content_type_id=42", "--option", "related_object_id=\"prj123\"",
            "--countdown", "3600");

        var messages = (await broker.Peer.RunAsync("platform", "--root", id, "--count", "1", "--timeout", "60"))!.AsArray();

        var message = Assert.Single(messages)!;
        Assert.Equal("export.project", (string?)message["headers"]!["task"]);
        Assert.Equal(id, (string?)message["headers"]!["id"]);
        Assert.NotNull((string?)message["headers"]!["eta"]);
        Assert.Equal("[]", message["args"]!.ToJsonString());
        Assert.Equal("""{"org_slug":"org","project_slug":"prj","api_key":"tok","output_type":"xls"}""", message["kwargs"]!.ToJsonString());
        var custom = broker.CustomOptions(message);
        Assert.True(custom is not null, $"no custom options on {broker.Name}: {message.ToJsonString()}");
        Assert.Equal("user123", (string?)custom["creator_id"]);
        Assert.Equal(42, (int?)custom["related_content_type_id"]);
        Assert.Equal("prj123", (string?)custom["related_object_id"]);
    }

    private async Task<string> SendAsync(params string[] arguments)
    {
        var (exit, output, error) = await CommandRunner.RunAsync(SendCommand.Create(broker.CliEnvironment), ["send", .. arguments]);
        Assert.True(exit == 0, $"send exited {exit} on {broker.Name}: {error}");
        return output.Trim();
    }

    private async Task<(int Exit, JsonNode Result)> ResultAsync(string id)
    {
        var (exit, output, error) = await CommandRunner.RunAsync(
            ResultCommand.Create(), "result", id, "--wait", "60", "--json", "--backend", broker.ResultBackend);
        Assert.True(output.Length > 0, $"result printed nothing (exit {exit}): {error}");
        return (exit, JsonNode.Parse(output)!);
    }
}
