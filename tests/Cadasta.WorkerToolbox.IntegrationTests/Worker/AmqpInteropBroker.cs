using System.Text.Json.Nodes;
using Cadasta.WorkerToolbox.TestSupport.Interop;

namespace Cadasta.WorkerToolbox.IntegrationTests.Worker;

/// <summary>RabbitMQ, in a virtual host of its own that is deleted afterwards.</summary>
public sealed class AmqpInteropBroker : InteropBroker
{
    private readonly string _virtualHost = $"cadasta-interop-{Guid.NewGuid():N}";

    public override string BrokerUrl => "amqp://guest:guest@127.0.0.1:5672/" + _virtualHost;

    public override string Name => "RabbitMQ";

    protected override IReadOnlyDictionary<string, string> NamespaceEnvironment { get; } = new Dictionary<string, string>();

    protected override IReadOnlyDictionary<string, object?> BrokerSettings { get; } = new Dictionary<string, object?>();

    /// <summary>
    /// On RabbitMQ py-amqp sends only the standard AMQP properties, so the platform's kombu consumer
    /// never sees custom ones among its properties: our transport carries them in the
    /// <c>x-cadasta-properties</c> header (docs/rabbitmq.md).
    /// </summary>
    public override JsonObject? CustomOptions(JsonNode platformMessage) =>
        platformMessage["headers"]?["x-cadasta-properties"] as JsonObject;

    protected override Task PrepareAsync() => RabbitMqVirtualHost.CreateAsync(_virtualHost);

    protected override Task CleanUpAsync() => RabbitMqVirtualHost.DeleteAsync(_virtualHost);
}
