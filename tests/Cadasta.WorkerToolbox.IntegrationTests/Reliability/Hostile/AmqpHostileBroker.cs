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
        await RabbitMqVirtualHost.CreateAsync(_virtualHost);
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

        await RabbitMqVirtualHost.DeleteAsync(_virtualHost);
    }
}
