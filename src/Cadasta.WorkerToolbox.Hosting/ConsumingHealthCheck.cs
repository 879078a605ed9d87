using Cadasta.WorkerToolbox.Worker;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cadasta.WorkerToolbox.Hosting;

/// <summary>Healthy while the hosted worker has started consuming and has not been stopped.</summary>
internal sealed class ConsumingHealthCheck(WorkerState state, TaskWorker worker) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.Consuming
            ? HealthCheckResult.Healthy($"consuming {string.Join(", ", worker.Queues)}")
            : HealthCheckResult.Unhealthy("the worker is not consuming"));
}
