namespace Cadasta.WorkerToolbox.IntegrationTests.Transports.Amqp;

/// <summary>AMQP tests that share the broker politely (unique names): they may run beside other test classes.</summary>
[CollectionDefinition(Name)]
public sealed class AmqpBrokerCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "AMQP broker";
}

