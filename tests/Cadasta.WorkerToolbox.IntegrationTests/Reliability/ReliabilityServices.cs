using Cadasta.WorkerToolbox.TestSupport.Services;

namespace Cadasta.WorkerToolbox.IntegrationTests.Reliability;

/// <summary>
/// The private RabbitMQ node and PostgreSQL cluster the fault tests stop, kill and restart; started
/// once for the collection. The tests of the collection run one after the other, never beside each
/// other, and never touch the shared services (the SQS emulator excepted: there each test has its
/// own queue prefix and nothing is restarted).
/// </summary>
public sealed class ReliabilityServices : IAsyncLifetime
{
    private PrivateRabbitMq? _rabbitMq;
    private PrivatePostgres? _postgres;

    /// <summary>The private RabbitMQ node.</summary>
    public PrivateRabbitMq RabbitMq => _rabbitMq ?? throw new InvalidOperationException("Not started.");

    /// <summary>The private PostgreSQL cluster.</summary>
    public PrivatePostgres Postgres => _postgres ?? throw new InvalidOperationException("Not started.");

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var rabbitMq = PrivateRabbitMq.StartAsync();
        var postgres = PrivatePostgres.StartAsync();
        try
        {
            _postgres = await postgres;
        }
        finally
        {
            _rabbitMq = await rabbitMq;
        }
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_rabbitMq is not null)
        {
            await _rabbitMq.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}

/// <summary>The fault tests: one at a time, on <see cref="ReliabilityServices"/>.</summary>
[CollectionDefinition(Name)]
public sealed class ReliabilityCollection : ICollectionFixture<ReliabilityServices>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Reliability (private RabbitMQ and PostgreSQL)";
}
