using Cadasta.WorkerToolbox.TestSupport.Transports;
using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.IntegrationTests.Transports.Sqs;

/// <summary>The transport contract, held against the SQS emulator (queue names are unique per test).</summary>
public sealed class SqsTransportContractTests : TransportContractTests
{
    private SqsTestEnvironment? _environment;

    // Long polls end sooner than a test's delivery timeout, so a late message is still seen.
    protected override TimeSpan DeliveryTimeout => TimeSpan.FromSeconds(20);

    // A message that must not arrive could still be on its way through a 1 s long poll.
    protected override TimeSpan QuietPeriod => TimeSpan.FromSeconds(1.5);

    public override async Task InitializeAsync() => _environment = await SqsTestEnvironment.StartAsync();

    protected override Task<ITransport> CreateTransportAsync(CancellationToken cancellationToken) =>
        Task.FromResult<ITransport>(_environment!.CreateTransport());

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_environment is not null)
        {
            await _environment.DisposeAsync();
        }
    }
}
