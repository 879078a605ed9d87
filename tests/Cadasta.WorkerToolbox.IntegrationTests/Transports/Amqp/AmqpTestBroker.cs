using System.Net.Sockets;
using Cadasta.WorkerToolbox.Routing;
using Cadasta.WorkerToolbox.Transports.Amqp;
using RabbitMQ.Client;

namespace Cadasta.WorkerToolbox.IntegrationTests.Transports.Amqp;

/// <summary>The shared RabbitMQ on 127.0.0.1:5672 as the AMQP tests use it: reachability, unique names, clean-up (restarts happen on a private node, see Reliability/).</summary>
internal static class AmqpTestBroker
{
    public const string Url = "amqp://guest:guest@127.0.0.1:5672//";
    public const string StartCommand = "scripts/services/rabbitmq start";

    /// <summary>Fails (never skips) with the command that starts the broker when it is not there.</summary>
    public static async Task EnsureRunningAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", 5672).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception exception) when (exception is SocketException or TimeoutException)
        {
            Assert.Fail($"RabbitMQ is not reachable on 127.0.0.1:5672 ({exception.Message}). Start it with `{StartCommand}`.");
        }
    }

    /// <summary>A name no other test uses.</summary>
    public static string UniqueName(string purpose) => $"amqp-test-{purpose}-{Guid.NewGuid():N}";

    /// <summary>The Cadasta topology (topic exchange, celery/platform.fifo/msg/export) under a unique prefix.</summary>
    public static Topology CadastaTopology(string prefix)
    {
        var exchange = new ExchangeDeclaration(prefix + "task_exchange", ExchangeDeclaration.Topic);
        return new Topology(
        [
            new QueueDeclaration(prefix + "celery", exchange, prefix + "celery"),
            new QueueDeclaration(prefix + "platform.fifo", exchange, "#"),
            new QueueDeclaration(prefix + "msg", exchange, prefix + "msg"),
            new QueueDeclaration(prefix + "export", exchange, prefix + "export"),
        ]);
    }

    /// <summary>A transport to the test broker (or the one at <paramref name="url"/>) with short retry pauses.</summary>
    public static AmqpTransport CreateTransport(TestLoggerFactory loggerFactory, AmqpTransportSettings? settings = null, string url = Url) =>
        AmqpTransportFactory.Create(url, loggerFactory, TimeProvider.System, settings ?? new AmqpTransportSettings { NetworkRecoveryInterval = TimeSpan.FromSeconds(1) });

    /// <summary>Runs <paramref name="action"/> on a plain RabbitMQ.Client channel (for inspection and clean-up).</summary>
    public static async Task<T> WithChannelAsync<T>(Func<IChannel, Task<T>> action, string url = Url)
    {
        var factory = new ConnectionFactory { Uri = new Uri(url) };
        await using var connection = await factory.CreateConnectionAsync("amqp-test inspection");
        await using var channel = await connection.CreateChannelAsync();
        return await action(channel);
    }

    /// <summary>How many ready messages <paramref name="queue"/> holds.</summary>
    public static Task<uint> MessageCountAsync(string queue, string url = Url) =>
        WithChannelAsync(async channel => (await channel.QueueDeclarePassiveAsync(queue)).MessageCount, url);

    /// <summary>Deletes the queues and exchanges of a topology (each on its own channel, so a missing one does not stop the rest).</summary>
    public static async Task DeleteAsync(Topology topology, string url = Url)
    {
        foreach (var queue in topology.Queues)
        {
            await IgnoreErrorsAsync(channel => channel.QueueDeleteAsync(queue.Name), url);
        }

        foreach (var exchange in topology.Exchanges)
        {
            await IgnoreErrorsAsync(channel => channel.ExchangeDeleteAsync(exchange.Name), url);
        }
    }

    private static async Task IgnoreErrorsAsync(Func<IChannel, Task> action, string url)
    {
        try
        {
            await WithChannelAsync(
                async channel =>
                {
                    await action(channel);
                    return 0;
                },
                url);
        }
        catch (Exception exception) when (exception is RabbitMQ.Client.Exceptions.OperationInterruptedException or IOException)
        {
            // Already gone.
        }
    }


    /// <summary>The repository root (the folder that holds Cadasta.WorkerToolbox.slnx).</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Cadasta.WorkerToolbox.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root above " + AppContext.BaseDirectory);
    }
}
