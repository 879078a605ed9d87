using System.Numerics;
using System.Text.Json;
using Cadasta.WorkerToolbox.Results;

namespace Cadasta.WorkerToolbox.IntegrationTests.Results;

/// <summary>
/// Values and exceptions both ways between our store and Python Celery 5.2.6's own database backend
/// (AsyncResult.get, mark_as_done / mark_as_failure / ...), on whatever database <see cref="Url"/> names.
/// </summary>
public abstract class ResultInteropSuite
{
    protected abstract string Url { get; }

    public static TheoryData<string, object?, string> ValuesForPython() => new()
    {
        { "int", 42L, "42" },
        { "clr-int", 5, "5" },
        { "negative", -7L, "-7" },
        { "int64-max", long.MaxValue, "9223372036854775807" },
        { "float", 3.14, "3.14" },
        { "float-whole", 2.0, "2.0" },
        { "float-tiny", 1e-300, "1e-300" },
        { "unicode", "héllo ✓ 日本 'q' \"d\"\n", JsonSerializer.Serialize("héllo ✓ 日本 'q' \"d\"\n") },
        { "empty-string", "", "''" },
        { "none", null, "None" },
        { "true", true, "True" },
        { "false", false, "False" },
        { "list", new List<object?> { 1L, "a", null, 1.5, false }, "[1, 'a', None, 1.5, False]" },
        {
            "nested",
            new Dictionary<string, object?>
            {
                ["links"] = new List<object?> { new Dictionary<string, object?> { ["text"] = "f.zip", ["url"] = "http://z/1" } },
                ["n"] = new Dictionary<string, object?>(),
                ["e"] = new List<object?>(),
                ["deep"] = new List<object?> { new List<object?> { new List<object?> { 1L } } },
            },
            "{'links': [{'text': 'f.zip', 'url': 'http://z/1'}], 'n': {}, 'e': [], 'deep': [[[1]]]}"
        },
    };

    [Theory]
    [MemberData(nameof(ValuesForPython))]
    public async Task Python_celery_reads_the_value_we_stored(string label, object? value, string pythonLiteral)
    {
        var taskId = ResultPostgres.NewTaskId(label);
        await using (var store = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = Url }))
        {
            await store.StoreAsync(TaskResult.Started(taskId, 1, "celery@dotnet"));
            await store.StoreAsync(TaskResult.Success(taskId, value));
        }

        var line = Assert.Single(await ResultPeer.CheckAsync(Url, (taskId, pythonLiteral)));
        Assert.Equal("SUCCESS", line.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Python_celery_raises_the_exception_we_stored_with_its_traceback()
    {
        var failed = ResultPostgres.NewTaskId("failure");
        var dotnet = ResultPostgres.NewTaskId("dotnet-failure");
        var revoked = ResultPostgres.NewTaskId("revoked");
        await using (var store = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = Url }))
        {
            await store.StoreAsync(TaskResult.Failure(failed, new TaskError("ValueError", "builtins", ["boom", 5L]), "Traceback (most recent call last):\nValueError: ('boom', 5)\n"));
            await store.StoreAsync(TaskResult.Failure(dotnet, TaskError.FromException(new InvalidOperationException("no way")), "   at Worker.Run()"));
            await store.StoreAsync(TaskResult.Revoked(revoked, "expired"));
        }

        var lines = await ResultPeer.CheckAsync(
            Url,
            (failed, "!ValueError('boom', 5)"),
            (dotnet, "!type('InvalidOperationException', (Exception,), {})('no way')"),
            (revoked, "!type('TaskRevokedError', (Exception,), {})('expired')"));

        Assert.Equal("Traceback (most recent call last):\nValueError: ('boom', 5)\n", lines[0].GetProperty("traceback").GetString());
        Assert.Equal("builtins.ValueError('boom', 5)", lines[0].GetProperty("got").GetString());
        Assert.Equal("FAILURE", lines[1].GetProperty("state").GetString());
        Assert.Equal("celery.exceptions.TaskRevokedError('expired',)", lines[2].GetProperty("got").GetString());
        Assert.Equal("REVOKED", lines[2].GetProperty("state").GetString());
    }

    public static TheoryData<string, string, object?> ValuesFromPython() => new()
    {
        { "int", "42", 42L },
        { "int31", "2147483647", 2147483647L },
        { "int64", "-9223372036854775808", long.MinValue },
        { "bigint", "1180591620717411303424", BigInteger.Pow(2, 70) },
        { "float", "3.14", 3.14 },
        { "unicode", "'héllo ✓ 日本'", "héllo ✓ 日本" },
        { "none", "None", null },
        { "bool", "True", true },
        { "list", "[1, 'a', None, 1.5]", new List<object?> { 1L, "a", null, 1.5 } },
        { "tuple", "(1, 'x')", new List<object?> { 1L, "x" } },
        { "dict", "{'links': [{'url': 'u'}], 'n': {1: 'one'}}", new Dictionary<string, object?> { ["links"] = new List<object?> { new Dictionary<string, object?> { ["url"] = "u" } }, ["n"] = new Dictionary<string, object?> { ["1"] = "one" } } },
    };

    [Theory]
    [MemberData(nameof(ValuesFromPython))]
    public async Task We_read_the_value_python_celery_stored(string label, string pythonLiteral, object? expected)
    {
        var taskId = ResultPostgres.NewTaskId("py-" + label);
        await ResultPeer.WriteAsync(Url, taskId, "done", pythonLiteral);

        await using var store = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = Url });
        var value = await new AsyncResult(taskId, store).GetAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(expected?.GetType(), value?.GetType());
        // Structural, and strict on leaf types (1L is not 1.0); key order: ResultKeyOrderInteropTests.
        Assert.True(JsonLikeEquality.ValueEquals(expected, value), $"expected {JsonSerializer.Serialize(expected)}, got {JsonSerializer.Serialize(value)}");
        Assert.NotNull((await store.ReadAsync(taskId))!.DateDone);
    }

    [Fact]
    public async Task We_read_python_celerys_failure_started_retry_and_revoked_rows()
    {
        var failed = ResultPostgres.NewTaskId("py-failure");
        var started = ResultPostgres.NewTaskId("py-started");
        var retried = ResultPostgres.NewTaskId("py-retry");
        var revoked = ResultPostgres.NewTaskId("py-revoked");
        await ResultPeer.WriteAsync(Url, failed, "failure", "ValueError('boom', 5)", "Traceback (most recent call last):\nValueError: ('boom', 5)\n");
        await ResultPeer.WriteAsync(Url, started, "started", "{'pid': 10752, 'hostname': 'celery@vm'}");
        await ResultPeer.WriteAsync(Url, retried, "retry", "KeyError('k')", "tb");
        await ResultPeer.WriteAsync(Url, revoked, "revoked", "'expired'");

        await using var store = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = Url });
        var failure = await Assert.ThrowsAsync<TaskFailedException>(() => new AsyncResult(failed, store).GetAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(("ValueError", "builtins", "('boom', 5)"), (failure.RemoteExceptionType, failure.RemoteExceptionModule, failure.RemoteMessage));
        Assert.Equal(new object?[] { "boom", 5L }, failure.RemoteArguments);
        Assert.Equal("Traceback (most recent call last):\nValueError: ('boom', 5)\n", failure.RemoteTraceback);

        var startedRow = (await store.ReadAsync(started))!;
        Assert.Equal(TaskStates.Started, startedRow.State);
        Assert.Null(startedRow.DateDone);
        Assert.Equal(10752L, ((IReadOnlyDictionary<string, object?>)startedRow.Value!)["pid"]);
        Assert.Equal("celery@vm", ((IReadOnlyDictionary<string, object?>)startedRow.Value!)["hostname"]);

        var retryRow = (await store.ReadAsync(retried))!;
        Assert.Equal((TaskStates.Retry, "KeyError", "k", "tb"), (retryRow.State, retryRow.Error!.ExceptionType, retryRow.Error.Message, retryRow.Traceback));

        var revokedError = await Assert.ThrowsAsync<TaskFailedException>(() => new AsyncResult(revoked, store).GetAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal((TaskStates.Revoked, "TaskRevokedError", "celery.exceptions", "expired"), (revokedError.State, revokedError.RemoteExceptionType, revokedError.RemoteExceptionModule, revokedError.RemoteMessage));
    }

    [Fact]
    public async Task Our_result_column_is_a_protocol_2_pickle_and_pythons_is_protocol_5()
    {
        var ours = ResultPostgres.NewTaskId("ours");
        var theirs = ResultPostgres.NewTaskId("theirs");
        await using (var store = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = Url }))
        {
            await store.StoreAsync(TaskResult.Success(ours, 3L));
        }

        await ResultPeer.WriteAsync(Url, theirs, "done", "3");

        var (_, ourRow, _) = await ResultPeer.RunAsync("raw", Url, ours);
        var (_, theirRow, _) = await ResultPeer.RunAsync("raw", Url, theirs);
        Assert.StartsWith("8002", JsonDocument.Parse(ourRow).RootElement.GetProperty("result").GetString(), StringComparison.Ordinal);
        Assert.Equal("80054b032e", JsonDocument.Parse(theirRow).RootElement.GetProperty("result").GetString());
    }
}
