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

    // RabbitMQ.Client 7 reads an empty AMQP field array or nested table as null (WireFormatting);
    // py-amqp reads [] and {}. Celery 5.2 puts neither in a header. Documented in docs/rabbitmq.md.
    protected override object? ExpectedHeaderValue(object? sent) => ExpectedHeaderTable(sent, isTopLevel: true);

    private static object? ExpectedHeaderTable(object? sent, bool isTopLevel = false) => sent switch
    {
        IReadOnlyDictionary<string, object?> { Count: 0 } when !isTopLevel => null,
        IReadOnlyDictionary<string, object?> table => table.ToDictionary(e => e.Key, e => ExpectedHeaderTable(e.Value)),
        IReadOnlyList<object?> { Count: 0 } => null,
        IReadOnlyList<object?> list => list.Select(item => ExpectedHeaderTable(item)).ToList(),
        _ => sent,
    };

    // Queues on RabbitMQ are durable: delete what each test declared so runs do not pile them up.
    protected override Task DeleteAsync(Topology topology, CancellationToken cancellationToken) =>
        AmqpTestBroker.DeleteAsync(topology);
}
