using System.Diagnostics;
using Cadasta.WorkerToolbox.TestSupport.Interop;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Amqp;
using RabbitMQ.Client;

namespace Cadasta.WorkerToolbox.IntegrationTests.Reliability.Hostile;

/// <summary>RabbitMQ in a virtual host of its own (deleted afterwards), published to with RabbitMQ.Client directly.</summary>
internal sealed class AmqpHostileBroker : IHostileBroker
{
    private readonly string _virtualHost = $"cadasta-hostile-{Guid.NewGuid():N}";
    private IConnection? _connection;
    private IChannel? _channel;

    public string Name => "RabbitMQ";

    public string BrokerUrl => "amqp://guest:guest@127.0.0.1:5672/" + _virtualHost;

    public IReadOnlyDictionary<string, string> WorkerEnvironment => new Dictionary<string, string> { ["CELERY_BROKER_URL"] = BrokerUrl };

    public async Task PrepareAsync()
    {
        await RequiredService.RabbitMq.EnsureAsync();
        var (added, output) = await RabbitMqCtlAsync("add_vhost", _virtualHost);
        Assert.True(added == 0, $"rabbitmqctl could not add virtual host '{_virtualHost}' (run the tests as root next to `scripts/services/rabbitmq start`): {output}");
        (added, output) = await RabbitMqCtlAsync("set_permissions", "-p", _virtualHost, "guest", ".*", ".*", ".*");
        Assert.True(added == 0, $"rabbitmqctl could not open virtual host '{_virtualHost}' to guest: {output}");
        _connection = await new ConnectionFactory { Uri = new Uri(BrokerUrl) }.CreateConnectionAsync();
        _channel = await _connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
    }

    public async Task SendAsync(HostileMessage message)
    {
        var properties = new BasicProperties
        {
            ContentType = message.ContentType,
            ContentEncoding = message.ContentEncoding,
            DeliveryMode = DeliveryModes.Persistent,
            Headers = AmqpFieldValues.ToAmqpTable(message.Headers, "headers"),
            CorrelationId = message.TaskId,
        };
        await _channel!.BasicPublishAsync("task_exchange", "msg", mandatory: false, properties, message.Body);
    }

    public async Task<long> DepthAsync(string queue) => (await _channel!.QueueDeclarePassiveAsync(queue)).MessageCount;

    public async Task<List<TransportMessage>> DrainAsync(string queue)
    {
        var messages = new List<TransportMessage>();
        while (await _channel!.BasicGetAsync(queue, autoAck: true) is { } got)
        {
            messages.Add(AmqpMessageMapping.ToTransportMessage(got.BasicProperties, got.Body));
        }

        return messages;
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
        {
            await _channel.DisposeAsync();
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        await RabbitMqCtlAsync("delete_vhost", _virtualHost);
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
}
