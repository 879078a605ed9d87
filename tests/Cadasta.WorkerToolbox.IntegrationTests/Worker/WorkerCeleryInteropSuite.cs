using System.Diagnostics;
using System.Text.Json.Nodes;
using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Producing;
using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.TestSupport.Interop;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Amqp;
using Cadasta.WorkerToolbox.Worker;
using Cadasta.WorkerToolbox.Worker.Demo;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cadasta.WorkerToolbox.IntegrationTests.Worker;

/// <summary>
/// Our worker and producer next to real Celery 5.2.6 on one broker, sharing a SQLite result database:
/// Python sends, our worker runs (arguments, errors, retries, chords through our chord_unlock);
/// we send, a Python worker runs (chords through Celery's chord_unlock, chains).
/// tests/interop/peer.py uses fixed queue names, so each broker gets its own namespace.
/// Only RabbitMQ runs it today: on SQS, peer.py's <c>send</c> declares on one connection and publishes
/// on another, and kombu keeps virtual bindings per connection (virtual/base.py <c>Transport.state</c>),
/// so its messages are dropped before any worker sees them.
/// </summary>
public abstract class WorkerCeleryInteropSuite : IAsyncLifetime
{
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"worker-interop-{Guid.NewGuid():N}.db");
    private PythonPeer? _peer;

    /// <summary>The broker URL both sides use.</summary>
    protected abstract string BrokerUrl { get; }

    /// <summary>Extra environment for the Python peer (queue prefix...).</summary>
    protected abstract IReadOnlyDictionary<string, string> PeerEnvironment { get; }

    /// <summary>Extra settings for our side's Config (transport options...).</summary>
    protected abstract IReadOnlyDictionary<string, object?> BrokerSettings { get; }

    private string ResultBackend => "db+sqlite:///" + _database;

    private PythonPeer Peer => _peer ?? throw new InvalidOperationException("not initialized");

    public async Task InitializeAsync()
    {
        await PrepareBrokerAsync();
        var environment = new Dictionary<string, string>(PeerEnvironment)
        {
            ["CELERY_BROKER_URL"] = BrokerUrl,
            ["CELERY_RESULT_BACKEND"] = ResultBackend,
            ["CELERY_QUEUES"] = "('msg', 'export', 'py')",
        };
        _peer = new PythonPeer(environment);
    }

    /// <summary>Checks the broker runs and gives this test run its own namespace on it.</summary>
    protected abstract Task PrepareBrokerAsync();

    /// <summary>Connects our side to the broker.</summary>
    protected abstract ITransport CreateTransport(Config config);

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(_database);
        return Task.CompletedTask;
    }

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

        var echoed = await SendAndGetAsync("send", "msg.echo", "--args", "[1, \"a\"]", "--kwargs", "{\"org_slug\": \"org\"}");
        Assert.Equal("""{"args":[1,"a"],"kwargs":{"org_slug":"org"}}""", echoed["result"]!.ToJsonString());

        var retried = await SendAndGetAsync("send", "msg.retry", "--args", "[2]");
        Assert.Equal(2, (int?)retried["result"]);

        var unknown = await SendAndGetAsync("send", "msg.nobody");
        Assert.Equal("NotRegistered", (string?)unknown["exc_type"]);

        var failed = await SendAndGetAsync("send", "export.project", "--args", """["org", "prj", "key", "pdf"]""");
        Assert.Equal("ValueError", (string?)failed["exc_type"]);
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
    public async Task A_chord_and_a_chain_we_start_are_completed_by_a_python_worker()
    {
        await using var python = await Peer.StartWorkerAsync("py,celery", "interop-py");
        var config = Config();
        await using var transport = CreateTransport(config);
        var producer = new TaskProducer(config, transport);

        var bodyId = await producer.SendAsync(Signature.Chord(
            [Signature.Create("py.add", [1L, 1L]), Signature.Create("py.add", [2L, 2L])],
            Signature.Create("py.echo")));
        var chainId = await producer.SendAsync(Signature.Chain(Signature.Create("py.add", [1L, 2L]), Signature.Create("py.add", [10L])));

        var chord = await Peer.RunAsync("get", bodyId, "--timeout", "60");
        Assert.True((string?)chord!["status"] == "SUCCESS", python.Log);
        Assert.Equal("""{"args":[[2,4]],"kwargs":{}}""", chord["result"]!.ToJsonString());
        var chain = await Peer.RunAsync("get", chainId, "--timeout", "60");
        Assert.Equal(13, (int?)chain!["result"]);
    }

    private async Task<JsonNode> SendAndGetAsync(params string[] send)
    {
        var sent = await Peer.RunAsync(send);
        var id = (string)sent!["id"]!;
        return (await Peer.RunAsync("get", id, "--timeout", "60"))!;
    }

    private Config Config() => new(
        new Dictionary<string, object?>(BrokerSettings) { ["broker_url"] = BrokerUrl, ["result_backend"] = ResultBackend, ["QUEUES"] = new[] { "msg", "export" } },
        environment: new Dictionary<string, string>());

    private async Task<OurSide> OurWorkerAsync()
    {
        var config = Config();
        var transport = CreateTransport(config);
        var results = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = ResultBackend });
        await results.EnsureSchemaAsync();
        var worker = new TaskWorker(
            DemoTasks.Register(new TaskRegistry()), transport, results, new TaskProducer(config, transport),
            WorkerOptions.FromConfig(config) with { Concurrency = 2 });
        await worker.StartAsync();
        return new OurSide(worker, results, transport);
    }

    private sealed class OurSide(TaskWorker worker, DatabaseResultStore results, ITransport transport) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await worker.StopAsync(TimeSpan.FromSeconds(10));
            await worker.DisposeAsync();
            await results.DisposeAsync();
            await transport.DisposeAsync();
        }
    }
}
