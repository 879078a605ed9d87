using Cadasta.WorkerToolbox.TestSupport.Transports;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Memory;

namespace Cadasta.WorkerToolbox.Tests.Transports;

/// <summary>The memory transport against the transport contract: every transport of a test talks to one broker.</summary>
public sealed class MemoryTransportContractTests : TransportContractTests
{
    private readonly MemoryBroker _broker = new();

    protected override Task<ITransport> CreateTransportAsync(CancellationToken cancellationToken) =>
        Task.FromResult<ITransport>(new MemoryTransport(_broker));
}
