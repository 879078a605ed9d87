using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Results;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cadasta.WorkerToolbox.Hosting;

/// <summary>
/// Healthy when the result database answers a read of a task id no task has; healthy too when no
/// result backend is configured (a producer that never reads results needs none).
/// </summary>
internal sealed class ResultStoreHealthCheck(IServiceProvider services, Config config, TimeSpan timeout) : IHealthCheck
{
    private const string ProbeTaskId = "cadasta-health-probe";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(config.ResultBackend))
        {
            return HealthCheckResult.Healthy("no result backend configured");
        }

        var backend = UrlDisplay.MaskPassword(config.ResultBackend);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            var store = services.GetRequiredService<IResultStore>();
            // A fresh database has no table yet; the worker creates it the same way on start.
            await store.EnsureSchemaAsync(deadline.Token).ConfigureAwait(false);

            await store.ReadAsync(ProbeTaskId, deadline.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"result store {backend} reachable");
        }
        catch (OperationCanceledException error) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"result store {backend} gave no answer within {timeout.TotalSeconds:0.###} s", error);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"result store {backend} unreachable: {error.Message}", error);
        }
    }
}
