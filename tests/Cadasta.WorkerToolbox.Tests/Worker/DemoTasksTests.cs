using Cadasta.WorkerToolbox.Tests.Worker.Harness;
using Cadasta.WorkerToolbox.Worker;
using Cadasta.WorkerToolbox.Worker.Demo;

namespace Cadasta.WorkerToolbox.Tests.Worker;

public sealed class DemoTasksTests
{
    private static TaskRegistry Demo() => DemoTasks.Register(new TaskRegistry());

    [Fact]
    public async Task Add_adds_like_python()
    {
        Assert.Equal(5L, await TaskInvoker.InvokeAsync(Demo(), "msg.add", [2L, 3L]));
        Assert.Equal(3.5, await TaskInvoker.InvokeAsync(Demo(), "msg.add", [1.5, 2L]));
        Assert.Equal("ab", await TaskInvoker.InvokeAsync(Demo(), "msg.add", ["a", "b"]));
        var error = await Assert.ThrowsAsync<PythonException>(() => TaskInvoker.InvokeAsync(Demo(), "msg.add", [1L, "x"]));
        Assert.Equal("unsupported operand type(s) for +: 'int' and 'str'", error.Message);
    }

    [Fact]
    public async Task Noop_returns_none_and_echo_returns_args_and_kwargs()
    {
        Assert.Null(await TaskInvoker.InvokeAsync(Demo(), "msg.noop"));
        var echoed = Assert.IsType<Dictionary<string, object?>>(await TaskInvoker.InvokeAsync(
            Demo(), "msg.echo", [1L, "two"], new Dictionary<string, object?> { ["k"] = "v" }));
        Assert.Equal(new List<object?> { 1L, "two" }, echoed["args"]);
        Assert.Equal(new Dictionary<string, object?> { ["k"] = "v" }, echoed["kwargs"]);
    }

    [Fact]
    public async Task Fail_fails_with_the_message_given()
    {
        var error = await Assert.ThrowsAsync<PythonException>(() => TaskInvoker.InvokeAsync(Demo(), "msg.fail", ["it broke"]));
        Assert.Equal("it broke", error.Message);
    }

    [Fact]
    public async Task Export_project_refuses_an_unknown_output_type()
    {
        var kwargs = new Dictionary<string, object?> { ["org_slug"] = "org", ["project_slug"] = "prj", ["api_key"] = "k", ["output_type"] = "pdf" };
        var error = await Assert.ThrowsAsync<PythonException>(() => TaskInvoker.InvokeAsync(Demo(), "export.project", [], kwargs));
        Assert.Equal("ValueError", error.ExceptionType);
    }

    [Fact]
    public async Task Create_result_returns_the_platforms_links_shape()
    {
        var result = Assert.IsType<Dictionary<string, object?>>(await TaskInvoker.InvokeAsync(Demo(), "export.utils.create_result", ["f.zip", "http://z/1"]));
        var link = Assert.IsType<Dictionary<string, object?>>(Assert.Single(Assert.IsType<List<object?>>(result["links"])));
        Assert.Equal("f.zip", link["text"]);
        Assert.Equal("http://z/1", link["url"]);
    }

    [Fact]
    public async Task Sleep_sleeps_on_the_given_clock_and_returns_the_seconds()
    {
        await using var harness = new WorkerHarness();
        DemoTasks.Register(harness.Registry, harness.Time);
        await harness.StartAsync();

        var id = await harness.PublishAsync("msg.sleep", [2.5]);
        await harness.AdvanceUntilAsync(() => harness.Results.History(id).Contains("SUCCESS"), TimeSpan.FromSeconds(2.5), "the sleep to end");

        Assert.Equal(2.5, (await harness.WaitForStateAsync(id, "SUCCESS")).Value);
    }

    [Fact]
    public async Task Retry_retries_the_number_of_times_asked_then_returns_it()
    {
        await using var harness = new WorkerHarness();
        DemoTasks.Register(harness.Registry, harness.Time);
        await harness.StartAsync();

        var id = await harness.PublishAsync("msg.retry", [5L]);
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var expected = attempt;
            await WorkerHarness.WaitUntilAsync(() => harness.Results.History(id).Count(s => s == "RETRY") == expected, $"RETRY {expected}");
            harness.Time.Advance(TimeSpan.FromSeconds(0.1));
        }

        Assert.Equal(5L, (await harness.WaitForStateAsync(id, "SUCCESS")).Value);
    }
}
