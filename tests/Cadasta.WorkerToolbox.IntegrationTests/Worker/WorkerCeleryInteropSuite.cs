using System.Text.Json.Nodes;
using Cadasta.WorkerToolbox.Producing;
using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.TestSupport.Interop;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Worker;
using Cadasta.WorkerToolbox.Worker.Demo;

namespace Cadasta.WorkerToolbox.IntegrationTests.Worker;

/// <summary>
/// Our worker and producer next to real Celery 5.2.6 / kombu 5.2.4 (tests/interop/peer.py) on one
/// broker, sharing a SQLite result database: Python sends and reads results with
/// <c>AsyncResult.get()</c>, our worker runs (arguments, errors, retries, countdown, expiry, links,
/// chains, chords through our chord_unlock, export.project); we send, a Python worker runs (chords
/// through Celery's chord_unlock, chains); chains alternate between the two; and the Cadasta platform's
/// kombu consumer reads every message we publish from platform.fifo. Our worker consumes msg, export
/// and celery; the class's Python worker consumes py.
/// </summary>
public abstract class WorkerCeleryInteropSuite(InteropBroker broker)
{
    private const string Timeout = "60";

    private PythonPeer Peer => broker.Peer;

    [Fact]
    public async Task Tasks_sent_by_python_run_on_our_worker_with_celerys_results_and_errors()
    {
        await using var side = await OurWorkerAsync();

        var added = await SendAndGetAsync("send", "msg.add", "--args", "[2, 3]");
        Assert.Equal("SUCCESS", (string?)added["status"]);
        Assert.Equal(5, (int?)added["result"]);

        var missing = await SendAndGetAsync("send", "msg.add", "--args", "[1]");
        Assert.Equal("FAILURE", (string?)missing["status"]);
        Assert.Equal("TypeError", (string?)missing["exc_type"]);
        Assert.Equal("add() missing 1 required positional argument: 'b'", (string?)missing["exc_message"]![0]);

        // Non-BMP characters travel as JSON surrogate pairs one way and as pickled str the other.
        var echoed = await SendAndGetAsync(
            "send", "msg.echo", "--args", """[1, "Zürich ☃ 😀 𝄞"]""",
            "--kwargs", """{"org": {"name": "ñandú 🦜", "tags": ["a", {"deep": [1.5, null, true]}]}, "n": -7}""");
        Assert.Equal("SUCCESS", (string?)echoed["status"]);
        Assert.Equal(
            JsonNode.Parse("""{"args": [1, "Zürich ☃ 😀 𝄞"], "kwargs": {"org": {"name": "ñandú 🦜", "tags": ["a", {"deep": [1.5, null, true]}]}, "n": -7}}"""),
            echoed["result"],
            JsonNode.DeepEquals);

        var failed = await SendAndGetAsync("send", "msg.fail", "--args", """["the disk is full ✗"]""");
        Assert.Equal("FAILURE", (string?)failed["status"]);
        Assert.Equal("Exception", (string?)failed["exc_type"]);
        Assert.Equal("builtins", (string?)failed["exc_module"]);
        Assert.Equal("the disk is full ✗", (string?)failed["exc_message"]![0]);

        var retried = await SendAndGetAsync("send", "msg.retry", "--args", "[2]");
        Assert.Equal("SUCCESS", (string?)retried["status"]);
        Assert.Equal(2, (int?)retried["result"]);

        var unknown = await SendAndGetAsync("send", "msg.nobody");
        Assert.Equal("NotRegistered", (string?)unknown["exc_type"]);

        var badExport = await SendAndGetAsync("send", "export.project", "--args", """["org", "prj", "key", "pdf"]""");
        Assert.Equal("ValueError", (string?)badExport["exc_type"]);
    }

    [Fact]
    public async Task A_countdown_from_python_delays_the_task_and_an_expired_task_is_revoked()
    {
        await using var side = await OurWorkerAsync();

        var before = DateTimeOffset.UtcNow;
        var delayed = await SendAndGetAsync("send", "msg.add", "--args", "[20, 22]", "--countdown", "2");
        Assert.Equal(42, (int?)delayed["result"]);
        var row = await new AsyncResult((string)delayed["id"]!, side.Results).FetchAsync();
        Assert.True(row.DateDone >= before.AddSeconds(2), $"ran at {row.DateDone:O}, sent at {before:O} with a 2 s countdown");

        // Celery turns a past expiry into an immediate one (expires 0): the task must not run.
        var expired = await SendAndGetAsync("send", "msg.add", "--args", "[1, 1]", "--expires", "-5");
        Assert.Equal("REVOKED", (string?)expired["status"]);
        Assert.Equal("TaskRevokedError", (string?)expired["exc_type"]);
    }

    [Fact]
    public async Task Links_and_chains_sent_by_python_run_on_our_worker()
    {
        await using var side = await OurWorkerAsync();

        var sent = await Peer.RunAsync("send", "msg.add", "--args", "[1, 2]", "--link", "msg.add:[10]", "--link", "msg.echo:[\"linked\"]");
        var links = sent!["links"]!.AsArray().Select(id => (string)id!).ToList();
        Assert.Equal(3, (int?)(await GetAsync((string)sent["id"]!))["result"]);
        Assert.Equal(13, (int?)(await GetAsync(links[0]))["result"]);
        Assert.Equal("""{"args":[3,"linked"],"kwargs":{}}""", (await GetAsync(links[1]))["result"]!.ToJsonString());

        var chain = await SendAndGetAsync("chain", "msg.add:[1, 2]", "msg.add:[10]", "msg.add:[100]");
        Assert.Equal("SUCCESS", (string?)chain["status"]);
        Assert.Equal(113, (int?)chain["result"]);
    }

    [Fact]
    public async Task A_chord_started_by_python_is_completed_by_our_worker()
    {
        await using var side = await OurWorkerAsync();

        var body = await SendAndGetAsync("chord", "msg.echo", "msg.add:[1, 1]", "msg.add:[2, 2]", "msg.add:[3, 3]");

        Assert.Equal("SUCCESS", (string?)body["status"]);
        Assert.Equal("""{"args":[[2,4,6]],"kwargs":{}}""", body["result"]!.ToJsonString());
    }

    [Fact]
    public async Task Export_project_sent_by_python_runs_end_to_end_and_the_platform_sees_every_message()
    {
        await using var side = await OurWorkerAsync();

        var sent = await Peer.RunAsync(
            "send", "export.project", "--args", """["org", "prj", "key", "all"]""", "--link", "msg.echo", "--option", "creator_id=\"user1\"");
        var exportId = (string)sent!["id"]!;
        var callbackId = (string)sent["links"]![0]!;

        var export = await GetAsync(exportId);
        Assert.Equal("SUCCESS", (string?)export["status"]);
        Assert.True((bool)export["result"]!);

        // export.project's own callbacks run after the chord body (export.utils.create_result), with its links.
        var callback = await GetAsync(callbackId);
        Assert.Equal("SUCCESS", (string?)callback["status"]);
        Assert.Equal(
            """{"args":[{"links":[{"text":"prj_all.zip","url":"https://exports.invalid/org/prj/prj_all.zip"}]}],"kwargs":{}}""",
            callback["result"]!.ToJsonString());

        var messages = (await Peer.RunAsync("platform", "--root", exportId, "--until", "msg.echo", "--timeout", Timeout))!.AsArray();
        var tasks = messages.Select(m => (string)m!["headers"]!["task"]!).ToList();
        Assert.Contains("export.project", tasks);
        Assert.Equal(["export.project.resources", "export.project.shp", "export.project.xls"], tasks.Where(t => t.StartsWith("export.project.", StringComparison.Ordinal)).Order());
        Assert.Single(tasks, "export.utils.create_result");
        Assert.Single(tasks, "msg.echo");
        var result = messages.Single(m => (string?)m!["headers"]!["task"] == "export.utils.create_result")!;
        Assert.Equal(["prj_all.zip", "https://exports.invalid/org/prj/prj_all.zip"], result["args"]!.AsArray().Select(a => (string)a!));
        Assert.True((bool?)broker.CustomOptions(result)?["is_result"], $"is_result missing on {broker.Name}: {result.ToJsonString()}");
        var header = messages.First(m => (string?)m!["headers"]!["task"] == "export.project.xls")!;
        Assert.Equal(exportId, (string?)header["headers"]!["parent_id"]);
        Assert.Equal(["org", "prj", "key"], header["args"]!.AsArray().Select(a => (string)a!));
    }

    [Fact]
    public async Task A_chord_and_a_chain_we_start_are_completed_by_a_python_worker()
    {
        var python = await broker.PythonWorkerAsync();
        // Celery's chord_unlock: a Python worker on the celery queue, and our worker not running.
        await using var unlocker = await Peer.StartWorkerAsync("celery", $"unlock-{Guid.NewGuid():N}");
        var config = broker.Config();
        await using var transport = InteropBroker.CreateTransport(config);
        var producer = new TaskProducer(config, transport);

        var bodyId = await producer.SendAsync(Signature.Chord(
            [Signature.Create("py.add", [1L, 1L]), Signature.Create("py.add", [2L, 2L])],
            Signature.Create("py.echo")));
        var chainId = await producer.SendAsync(Signature.Chain(Signature.Create("py.add", [1L, 2L]), Signature.Create("py.add", [10L])));

        var chord = await GetAsync(bodyId);
        Assert.True((string?)chord["status"] == "SUCCESS", unlocker.Log + python.Log);
        Assert.Equal("""{"args":[[2,4]],"kwargs":{}}""", chord["result"]!.ToJsonString());
        Assert.Equal(13, (int?)(await GetAsync(chainId))["result"]);
    }

    [Fact]
    public async Task A_chain_alternating_between_python_and_our_worker_completes()
    {
        var python = await broker.PythonWorkerAsync();
        await using var side = await OurWorkerAsync();

        var fromPython = await SendAndGetAsync("chain", "msg.add:[1, 2]", "py.add:[10]", "msg.add:[100]", "py.add:[1000]");
        Assert.True((string?)fromPython["status"] == "SUCCESS", python.Log);
        Assert.Equal(1113, (int?)fromPython["result"]);

        var producer = new TaskProducer(broker.Config(), side.Transport);
        var ours = await producer.SendAsync(Signature.Chain(
            Signature.Create("py.add", [1L, 2L]), Signature.Create("msg.add", [10L]), Signature.Create("py.add", [100L])));
        Assert.Equal(113, (int?)(await GetAsync(ours))["result"]);
    }

    [Fact]
    public async Task Every_message_we_publish_reaches_the_platform_queue_as_the_platform_decodes_it()
    {
        await using var side = await OurWorkerAsync();
        var producer = new TaskProducer(broker.Config(), side.Transport);
        var options = new Dictionary<string, object?>
        {
            ["creator_id"] = "user123", ["related_content_type_id"] = 42L, ["related_object_id"] = "prj123", ["is_result"] = true,
        };

        var taskId = await producer.SendTaskAsync(
            "msg.echo", ["Zürich 😀"], new Dictionary<string, object?> { ["org_slug"] = "org" }, new TaskOptions { Properties = options });
        var rootId = Guid.NewGuid().ToString();
        var lastId = await producer.SendAsync(Signature.Chain(
            Signature.Create("msg.add", [1L, 2L]).WithOptions(new TaskOptions { TaskId = rootId, Properties = new Dictionary<string, object?> { ["creator_id"] = "chain-user" } }),
            Signature.Create("msg.add", [10L])));
        Assert.Equal(13L, await new AsyncResult(lastId, side.Results).GetAsync(TimeSpan.FromSeconds(60)));

        var messages = (await Peer.RunAsync("platform", "--root", taskId, "--root", rootId, "--count", "3", "--timeout", Timeout))!.AsArray();
        Assert.Equal(3, messages.Count);

        var task = messages.Single(m => (string?)m!["headers"]!["id"] == taskId)!;
        Assert.Equal("msg.echo", (string?)task["headers"]!["task"]);
        Assert.Equal(taskId, (string?)task["headers"]!["root_id"]);
        Assert.Null(task["headers"]!["parent_id"]);
        Assert.Equal("Zürich 😀", (string?)task["args"]!.AsArray().Single());
        Assert.Equal("""{"org_slug":"org"}""", task["kwargs"]!.ToJsonString());
        Assert.Equal("""{"callbacks":null,"errbacks":null,"chain":null,"chord":null}""", task["embed"]!.ToJsonString());
        Assert.Equal("application/json", (string?)task["content_type"]);
        var custom = broker.CustomOptions(task);
        Assert.True(custom is not null, $"no custom options on {broker.Name}: {task.ToJsonString()}");
        Assert.Equal("user123", (string?)custom["creator_id"]);
        Assert.Equal(42, (int?)custom["related_content_type_id"]);
        Assert.Equal("prj123", (string?)custom["related_object_id"]);
        Assert.True((bool?)custom["is_result"]);

        var first = messages.Single(m => (string?)m!["headers"]!["id"] == rootId)!;
        Assert.Equal("chain-user", (string?)broker.CustomOptions(first)?["creator_id"]);
        Assert.Single(first["embed"]!["chain"]!.AsArray());

        // The second step is published by our worker; as in Celery, options are not inherited.
        var second = messages.Single(m => (string?)m!["headers"]!["id"] == lastId)!;
        Assert.Equal("msg.add", (string?)second["headers"]!["task"]);
        Assert.Equal(rootId, (string?)second["headers"]!["parent_id"]);
        Assert.Equal(rootId, (string?)second["headers"]!["root_id"]);
        Assert.Equal("[3,10]", second["args"]!.ToJsonString());
        Assert.Null(broker.CustomOptions(second)?["creator_id"]);
    }

    private async Task<JsonNode> SendAndGetAsync(params string[] send)
    {
        var sent = await Peer.RunAsync(send);
        var id = (string)sent!["id"]!;
        var outcome = await GetAsync(id);
        outcome["id"] = id;
        return outcome;
    }

    private async Task<JsonNode> GetAsync(string id) => (await Peer.RunAsync("get", id, "--timeout", Timeout))!;

    private async Task<OurSide> OurWorkerAsync()
    {
        var config = broker.Config();
        var transport = InteropBroker.CreateTransport(config);
        var results = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = broker.ResultBackend });
        await results.EnsureSchemaAsync();
        var worker = new TaskWorker(
            DemoTasks.Register(new TaskRegistry()), transport, results, new TaskProducer(config, transport),
            WorkerOptions.FromConfig(config) with { Concurrency = 2, Queues = ["msg", "export", "celery"] });
        await worker.StartAsync();
        return new OurSide(worker, results, transport);
    }

    private sealed class OurSide(TaskWorker worker, DatabaseResultStore results, ITransport transport) : IAsyncDisposable
    {
        public DatabaseResultStore Results => results;

        public ITransport Transport => transport;

        public async ValueTask DisposeAsync()
        {
            await worker.StopAsync(TimeSpan.FromSeconds(10));
            await worker.DisposeAsync();
            await results.DisposeAsync();
            await transport.DisposeAsync();
        }
    }
}
