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
/// Our worker and producer next to real Celery 5.2.6 on RabbitMQ, sharing a SQLite result database:
/// Python sends, our worker runs (arguments, errors, retries, chords through our chord_unlock);
/// we send, a Python worker runs (chords through Celery's chord_unlock, chains).
/// Runs in its own RabbitMQ virtual host, because tests/interop/peer.py uses fixed queue names.
/// </summary>
public sealed class WorkerCeleryInteropTests : IAsyncLifetime
{
    private const string VirtualHost = "cadasta-worker-interop";
    private const string BrokerUrl = "amqp://guest:guest@127.0.0.1:5672/" + VirtualHost;

    private readonly string _database = Path.Combine(Path.GetTempPath(), $"worker-interop-{Guid.NewGuid():N}.db");
    private readonly PythonPeer _peer;

    public WorkerCeleryInteropTests()
    {
        _peer = new PythonPeer(new Dictionary<string, string>
        {
            ["CELERY_BROKER_URL"] = BrokerUrl,
            ["CELERY_RESULT_BACKEND"] = ResultBackend,
            ["CELERY_QUEUES"] = "('msg', 'export', 'py')",
        });
    }

    private string ResultBackend => "db+sqlite:///" + _database;

    public async Task InitializeAsync()
    {
        await RequiredService.RabbitMq.EnsureAsync();
        await EnsureVirtualHostAsync();
        await PurgeAsync();
    }

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
        await using var python = await _peer.StartWorkerAsync("py,celery", "interop-py");
        var config = Config();
        await using var transport = AmqpTransportFactory.Create(BrokerUrl, NullLoggerFactory.Instance, TimeProvider.System);
        var producer = new TaskProducer(config, transport);

        var bodyId = await producer.SendAsync(Signature.Chord(
            [Signature.Create("py.add", [1L, 1L]), Signature.Create("py.add", [2L, 2L])],
            Signature.Create("py.echo")));
        var chainId = await producer.SendAsync(Signature.Chain(Signature.Create("py.add", [1L, 2L]), Signature.Create("py.add", [10L])));

        var chord = await _peer.RunAsync("get", bodyId, "--timeout", "60");
        Assert.True((string?)chord!["status"] == "SUCCESS", python.Log);
        Assert.Equal("""{"args":[[2,4]],"kwargs":{}}""", chord["result"]!.ToJsonString());
        var chain = await _peer.RunAsync("get", chainId, "--timeout", "60");
        Assert.Equal(13, (int?)chain!["result"]);
    }

    private async Task<JsonNode> SendAndGetAsync(params string[] send)
    {
        var sent = await _peer.RunAsync(send);
        var id = (string)sent!["id"]!;
        return (await _peer.RunAsync("get", id, "--timeout", "60"))!;
    }

    private Config Config() => new(
        new Dictionary<string, object?> { ["broker_url"] = BrokerUrl, ["result_backend"] = ResultBackend, ["QUEUES"] = new[] { "msg", "export" } },
        environment: new Dictionary<string, string>());

    private async Task<OurSide> OurWorkerAsync()
    {
        var config = Config();
        var transport = AmqpTransportFactory.Create(BrokerUrl, NullLoggerFactory.Instance, TimeProvider.System);
        var results = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = ResultBackend });
        await results.EnsureSchemaAsync();
        var worker = new TaskWorker(
            DemoTasks.Register(new TaskRegistry()), transport, results, new TaskProducer(config, transport),
            WorkerOptions.FromConfig(config) with { Concurrency = 2 });
        await worker.StartAsync();
        return new OurSide(worker, results, transport);
    }

    private static async Task EnsureVirtualHostAsync()
    {
        // Idempotent: adding an existing vhost fails harmlessly; permissions are set every time.
        await RabbitMqCtlAsync("add_vhost", VirtualHost);
        var (exitCode, output) = await RabbitMqCtlAsync("set_permissions", "-p", VirtualHost, "guest", ".*", ".*", ".*");
        Assert.True(exitCode == 0, $"rabbitmqctl could not open virtual host '{VirtualHost}' to guest (run the tests as root next to `scripts/services/rabbitmq start`): {output}");
    }

    private static async Task PurgeAsync()
    {
        foreach (var queue in new[] { "msg", "export", "py", "celery", "platform.fifo" })
        {
            await RabbitMqCtlAsync("purge_queue", "-p", VirtualHost, queue);
        }
    }

    private static async Task<(int ExitCode, string Output)> RabbitMqCtlAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("rabbitmqctl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("rabbitmqctl could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output + await errors);
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
