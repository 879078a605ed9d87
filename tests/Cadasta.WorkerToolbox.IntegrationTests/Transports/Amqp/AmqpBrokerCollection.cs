namespace Cadasta.WorkerToolbox.IntegrationTests.Transports.Amqp;

/// <summary>AMQP tests that share the broker politely (unique names): they may run beside other test classes.</summary>
[CollectionDefinition(Name)]
public sealed class AmqpBrokerCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "AMQP broker";
}

/// <summary>
/// Tests that stop and start the shared RabbitMQ. xunit runs a collection with parallelisation
/// disabled on its own, after every parallel collection, so no other broker test is running.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AmqpBrokerRestartCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "AMQP broker restart (runs alone)";
}
