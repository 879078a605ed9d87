using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.Worker;
using Microsoft.Extensions.Hosting;

namespace Cadasta.WorkerToolbox.Hosting;

/// <summary>
/// Runs the <see cref="TaskWorker"/> for the host's lifetime: creates the result table if needed
/// and starts consuming on start; on stop, stops taking messages and lets running tasks finish
/// within the worker's grace period (cut short if the host's own shutdown timeout fires first).
/// </summary>
internal sealed class WorkerHostedService(TaskWorker worker, IResultStore results, WorkerOptions options, WorkerState state) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await results.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);

        await worker.StartAsync(cancellationToken).ConfigureAwait(false);
        state.Consuming = true;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        state.Consuming = false;
        await worker.StopAsync(options.ShutdownGracePeriod, cancellationToken).ConfigureAwait(false);
    }
}
