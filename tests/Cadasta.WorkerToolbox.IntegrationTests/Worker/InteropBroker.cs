using System.Text.Json.Nodes;
using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.TestSupport.Interop;
using Cadasta.WorkerToolbox.Transports;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cadasta.WorkerToolbox.IntegrationTests.Worker;

/// <summary>
/// One broker namespace (a RabbitMQ virtual host or an SQS queue prefix) and one SQLite result
/// database shared by the tests of one class, with the Python peer configured for them and a Celery
/// worker on the <c>py</c> queue started on first use. Each class gets its own namespace, so classes
/// running at the same time never see each other's messages.
/// </summary>
public abstract class InteropBroker : IAsyncLifetime
{
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"interop-{Guid.NewGuid():N}.db");
    private readonly SemaphoreSlim _workerLock = new(1, 1);
    private PythonWorker? _pythonWorker;
    private PythonPeer? _peer;

    /// <summary>The broker URL both sides use.</summary>
    public abstract string BrokerUrl { get; }

    /// <summary>Which broker, for messages.</summary>
    public abstract string Name { get; }

    /// <summary>The result backend both sides use.</summary>
    public string ResultBackend => "db+sqlite:///" + _database;

    /// <summary>The Python side, configured for this namespace.</summary>
    public PythonPeer Peer => _peer ?? throw new InvalidOperationException("not initialized");

    /// <summary>Environment of the CLI commands (as a shell would set it) for this namespace.</summary>
    public IReadOnlyDictionary<string, string> CliEnvironment => new Dictionary<string, string>(NamespaceEnvironment)
    {
        ["CELERY_BROKER_URL"] = BrokerUrl,
        ["CELERY_RESULT_BACKEND"] = ResultBackend,
        ["CELERY_QUEUES"] = "('msg', 'export', 'py')",
    };

    /// <summary>Environment naming this namespace (queue prefix...), for the peer and the CLI.</summary>
    protected abstract IReadOnlyDictionary<string, string> NamespaceEnvironment { get; }

    /// <summary>Extra settings of our side's Config (transport options...).</summary>
    protected abstract IReadOnlyDictionary<string, object?> BrokerSettings { get; }

    public async Task InitializeAsync()
    {
        await RequiredService.PostgreSql.EnsureAsync().ConfigureAwait(false);
        await PrepareAsync();
        _peer = new PythonPeer(CliEnvironment);
    }

    public async Task DisposeAsync()
    {
        if (_pythonWorker is not null)
        {
            await _pythonWorker.DisposeAsync();
        }

        await CleanUpAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(_database);
        _workerLock.Dispose();
    }

    /// <summary>Our side's configuration: the Cadasta topology with queues msg, export and py.</summary>
    public Config Config() => new(
        new Dictionary<string, object?>(BrokerSettings)
        {
            ["broker_url"] = BrokerUrl,
            ["result_backend"] = ResultBackend,
            ["QUEUES"] = new[] { "msg", "export", "py" },
        },
        environment: new Dictionary<string, string>());

    /// <summary>The Celery worker of this class on the <c>py</c> queue, started on first use.</summary>
    public async Task<PythonWorker> PythonWorkerAsync()
    {
        await _workerLock.WaitAsync();
        try
        {
            return _pythonWorker ??= await Peer.StartWorkerAsync("py", $"py-{Guid.NewGuid():N}");
        }
        finally
        {
            _workerLock.Release();
        }
    }

    /// <summary>Connects our side to the broker, as the CLI and the demo worker do.</summary>
    public static ITransport CreateTransport(Config config) => TransportFactory.Create(config, loggerFactory: NullLoggerFactory.Instance);

    /// <summary>
    /// The custom options (creator_id, is_result...) of a message as the platform consumer
    /// (<c>peer.py platform</c>) received it.
    /// </summary>
    public abstract JsonObject? CustomOptions(JsonNode platformMessage);

    /// <summary>Checks the broker runs and creates this class's namespace on it.</summary>
    protected abstract Task PrepareAsync();

    /// <summary>Removes this class's namespace.</summary>
    protected abstract Task CleanUpAsync();
}
