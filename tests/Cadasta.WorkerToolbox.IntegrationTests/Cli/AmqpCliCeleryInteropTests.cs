using Cadasta.WorkerToolbox.IntegrationTests.Worker;

namespace Cadasta.WorkerToolbox.IntegrationTests.Cli;

/// <summary>The CLI interop suite on RabbitMQ, in a virtual host of its own.</summary>
public sealed class AmqpCliCeleryInteropTests(AmqpInteropBroker broker) : CliCeleryInteropSuite(broker), IClassFixture<AmqpInteropBroker>;
