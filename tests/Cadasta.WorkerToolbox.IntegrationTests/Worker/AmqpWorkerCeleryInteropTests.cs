namespace Cadasta.WorkerToolbox.IntegrationTests.Worker;

/// <summary>The worker interop suite on RabbitMQ, in a virtual host of its own.</summary>
public sealed class AmqpWorkerCeleryInteropTests(AmqpInteropBroker broker) : WorkerCeleryInteropSuite(broker), IClassFixture<AmqpInteropBroker>;
