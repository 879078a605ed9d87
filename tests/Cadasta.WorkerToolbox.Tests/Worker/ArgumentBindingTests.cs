using Cadasta.WorkerToolbox.Worker;

namespace Cadasta.WorkerToolbox.Tests.Worker;

public sealed class ArgumentBindingTests
{
    private static TaskRegistry Tasks() => new TaskRegistry()
        .Register("msg.add", (long a, long b) => a + b)
        .Register("msg.noop", () => { })
        .Register("msg.defaults", (long a, long b = 10) => a + b)
        .Register("msg.three", (string a, string b, string c) => a + b + c)
        .Register("msg.echo", (object?[] args, Dictionary<string, object?> kwargs) => 0)
        .Register("export.project", (string orgSlug, string projectSlug) => orgSlug + "/" + projectSlug);

    private static async Task<string> TypeErrorOf(TaskRegistry registry, string name, IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?>? kwargs = null)
    {
        var error = await Assert.ThrowsAsync<PythonException>(() => TaskInvoker.InvokeAsync(registry, name, args, kwargs));
        Assert.Equal("TypeError", error.ExceptionType);
        Assert.Equal("builtins", error.ExceptionModule);
        return error.Message;
    }

    [Fact]
    public async Task Positional_arguments_bind_in_order()
    {
        Assert.Equal(5L, await TaskInvoker.InvokeAsync(Tasks(), "msg.add", [2L, 3L]));
    }

    [Fact]
    public async Task Keyword_arguments_find_camel_case_parameters_by_snake_case_name()
    {
        var kwargs = new Dictionary<string, object?> { ["project_slug"] = "prj", ["org_slug"] = "org" };
        Assert.Equal("org/prj", await TaskInvoker.InvokeAsync(Tasks(), "export.project", [], kwargs));
    }

    [Fact]
    public async Task Exact_csharp_names_are_accepted_as_keywords_too()
    {
        var kwargs = new Dictionary<string, object?> { ["orgSlug"] = "org", ["projectSlug"] = "prj" };
        Assert.Equal("org/prj", await TaskInvoker.InvokeAsync(Tasks(), "export.project", [], kwargs));
    }

    [Fact]
    public async Task Missing_argument_has_pythons_message()
    {
        Assert.Equal("add() missing 1 required positional argument: 'b'", await TypeErrorOf(Tasks(), "msg.add", [1L]));
    }

    [Fact]
    public async Task Several_missing_arguments_are_listed_as_python_lists_them()
    {
        Assert.Equal("add() missing 2 required positional arguments: 'a' and 'b'", await TypeErrorOf(Tasks(), "msg.add", []));
        Assert.Equal("three() missing 3 required positional arguments: 'a', 'b', and 'c'", await TypeErrorOf(Tasks(), "msg.three", []));
    }

    [Fact]
    public async Task Missing_snake_case_name_is_reported_in_python_form()
    {
        Assert.Equal("project() missing 1 required positional argument: 'project_slug'", await TypeErrorOf(Tasks(), "export.project", ["org"]));
    }

    [Fact]
    public async Task Too_many_positional_arguments_have_pythons_message()
    {
        Assert.Equal("add() takes 2 positional arguments but 3 were given", await TypeErrorOf(Tasks(), "msg.add", [1L, 2L, 3L]));
        Assert.Equal("noop() takes 0 positional arguments but 1 was given", await TypeErrorOf(Tasks(), "msg.noop", [1L]));
        Assert.Equal("defaults() takes from 1 to 2 positional arguments but 3 were given", await TypeErrorOf(Tasks(), "msg.defaults", [1L, 2L, 3L]));
    }

    [Fact]
    public async Task Unexpected_keyword_has_pythons_message_and_wins_over_positional_count()
    {
        var kwargs = new Dictionary<string, object?> { ["c"] = 1L };
        Assert.Equal("add() got an unexpected keyword argument 'c'", await TypeErrorOf(Tasks(), "msg.add", [1L, 2L, 3L], kwargs));
    }

    [Fact]
    public async Task Keyword_for_a_positional_already_given_has_pythons_message()
    {
        var kwargs = new Dictionary<string, object?> { ["a"] = 1L };
        Assert.Equal("add() got multiple values for argument 'a'", await TypeErrorOf(Tasks(), "msg.add", [1L], kwargs));
    }

    [Fact]
    public async Task Mistyped_argument_fails_with_a_type_error_naming_it()
    {
        Assert.Equal("add() argument 'b' must be int, not str", await TypeErrorOf(Tasks(), "msg.add", [1L, "two"]));
    }

    [Fact]
    public async Task Defaults_fill_missing_optional_arguments()
    {
        Assert.Equal(11L, await TaskInvoker.InvokeAsync(Tasks(), "msg.defaults", [1L]));
    }

    [Fact]
    public async Task Star_args_and_star_star_kwargs_collect_the_rest()
    {
        var registry = new TaskRegistry().Register(
            "msg.echo",
            (string first, [Kwargs] IReadOnlyDictionary<string, object?> kwargs, params object?[] args) =>
                new Dictionary<string, object?> { ["first"] = first, ["args"] = args, ["kwargs"] = kwargs });
        var result = (Dictionary<string, object?>)(await TaskInvoker.InvokeAsync(
            registry, "msg.echo", ["a", 2L, true], new Dictionary<string, object?> { ["x"] = 1L }))!;
        Assert.Equal("a", result["first"]);
        Assert.Equal(new List<object?> { 2L, true }, result["args"]);
        Assert.Equal(new Dictionary<string, object?> { ["x"] = 1L }, result["kwargs"]);
    }

    [Fact]
    public async Task Context_and_cancellation_token_take_no_argument()
    {
        var registry = new TaskRegistry().Register(
            "msg.whoami",
            (TaskContext context, long n, CancellationToken token) => $"{context.TaskName}:{n}:{token.CanBeCanceled}");
        using var cts = new CancellationTokenSource();
        Assert.Equal("msg.whoami:3:True", await TaskInvoker.InvokeAsync(registry, "msg.whoami", [3L], cancellationToken: cts.Token));
    }

    [Fact]
    public async Task Class_tasks_run_their_single_run_method()
    {
        var registry = new TaskRegistry().RegisterClass<Multiply>("msg.multiply");
        Assert.Equal(12L, await TaskInvoker.InvokeAsync(registry, "msg.multiply", [3L, 4L]));
    }

    [Fact]
    public void A_class_without_a_single_run_method_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new TaskRegistry().RegisterClass<NoRun>("x.y"));
    }

    [Fact]
    public void A_name_registered_twice_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new TaskRegistry().Register("a.b", () => 1).Register("a.b", () => 2));
    }

    [Theory]
    [InlineData("orgSlug", "org_slug")]
    [InlineData("apiKey", "api_key")]
    [InlineData("HTTPCode", "http_code")]
    [InlineData("a", "a")]
    [InlineData("already_snake", "already_snake")]
    [InlineData("value2Name", "value2_name")]
    public void Snake_case_follows_python_naming(string csharp, string python)
    {
        Assert.Equal(python, ArgumentBinder.ToSnakeCase(csharp));
    }

    private sealed class Multiply
    {
        public Task<long> RunAsync(long a, long b) => Task.FromResult(a * b);
    }

    private sealed class NoRun
    {
        public int Execute() => 1;
    }
}
