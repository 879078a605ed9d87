using System.Net.Sockets;

namespace Cadasta.WorkerToolbox.TestSupport.Interop;

/// <summary>
/// The services integration tests run against. A test that needs one calls <see cref="EnsureAsync"/>
/// first: when the service does not answer, the test fails with a message naming the service and the
/// command that starts it. Integration tests never skip silently.
/// </summary>
public sealed record RequiredService(string Name, string Host, int Port, string StartCommand)
{
    /// <summary>PostgreSQL with the toolbox's default database (worker / cadasta / cadasta).</summary>
    public static RequiredService PostgreSql { get; } = new("PostgreSQL", "127.0.0.1", 5432, "scripts/services/postgres start");

    /// <summary>RabbitMQ (guest / guest).</summary>
    public static RequiredService RabbitMq { get; } = new("RabbitMQ", "127.0.0.1", 5672, "scripts/services/rabbitmq start");

    /// <summary>The local SQS emulator.</summary>
    public static RequiredService Sqs { get; } = new("the SQS emulator", "127.0.0.1", 9324, "scripts/services/sqs start");

    /// <summary>Connection string of the test database.</summary>
    public const string PostgreSqlBackendUrl = "db+postgresql://worker:cadasta@127.0.0.1:5432/cadasta";

    /// <summary>Broker URL of the test RabbitMQ.</summary>
    public const string RabbitMqUrl = "amqp://guest:guest@127.0.0.1:5672//";

    /// <summary>Fails unless the service accepts TCP connections.</summary>
    public async Task EnsureAsync()
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await client.ConnectAsync(Host, Port, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            throw new InvalidOperationException(
                $"{Name} is not reachable at {Host}:{Port} ({e.Message}). Integration tests need it: run `{StartCommand}` " +
                "(./scripts/test starts every service itself).", e);
        }
    }
}
