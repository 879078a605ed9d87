using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Producing;
using Cadasta.WorkerToolbox.Transports;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cadasta.WorkerToolbox.Hosting;

/// <summary>
/// Healthy when the broker answers: declares the producer's topology (idempotent, as every worker
/// start does), which needs a live connection on every transport.
/// </summary>
internal sealed class BrokerHealthCheck(ITransport transport, TaskProducer producer, Config config, TimeSpan timeout) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var broker = UrlDisplay.MaskPassword(TransportFactory.BrokerUrl(config));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await transport.DeclareAsync(producer.Topology, deadline.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"broker {broker} reachable");
        }
        catch (OperationCanceledException error) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"broker {broker} gave no answer within {timeout.TotalSeconds:0.###} s", error);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"broker {broker} unreachable: {error.Message}", error);
        }
    }
}
