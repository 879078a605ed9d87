using Cadasta.WorkerToolbox.Routing;
using Cadasta.WorkerToolbox.TestSupport.Transports;
using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.IntegrationTests.Transports.Amqp;

/// <summary>The transport contract, held against the real RabbitMQ.</summary>
public sealed class AmqpTransportContractTests : TransportContractTests
{
    private readonly TestLoggerFactory _loggerFactory = new();

    public override Task InitializeAsync() => AmqpTestBroker.EnsureRunningAsync();

    protected override Task<ITransport> CreateTransportAsync(CancellationToken cancellationToken) =>
        Task.FromResult<ITransport>(AmqpTestBroker.CreateTransport(_loggerFactory));

    // Queues on RabbitMQ are durable: delete what each test declared so runs do not pile them up.
    protected override Task DeleteAsync(Topology topology, CancellationToken cancellationToken) =>
        AmqpTestBroker.DeleteAsync(topology);
}
