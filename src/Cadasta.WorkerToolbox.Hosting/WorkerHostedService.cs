using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.Worker;
using Microsoft.Extensions.Hosting;

namespace Cadasta.WorkerToolbox.Hosting;

/// <summary>
/// Runs the <see cref="TaskWorker"/> for the host's lifetime: creates the result table if needed
/// and starts consuming on start; on stop, stops taking messages and lets running tasks finish
/// within the worker's grace period (cut short if the host's own shutdown timeout fires first).
/// When the broker ends the worker's subscription by itself (a consumed queue deleted), the host
/// stops with exit code 1 instead of running on without receiving anything.
/// </summary>
internal sealed class WorkerHostedService(
    TaskWorker worker, IResultStore results, WorkerOptions options, WorkerState state, IHostApplicationLifetime lifetime) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await results.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);

        await worker.StartAsync(cancellationToken).ConfigureAwait(false);
        state.Consuming = true;
        _ = StopHostIfConsumerFailsAsync();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        state.Consuming = false;
        await worker.StopAsync(options.ShutdownGracePeriod, cancellationToken).ConfigureAwait(false);
    }

    private async Task StopHostIfConsumerFailsAsync()
    {
        try
        {
            await worker.ConsumerCompletion.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The worker logged the failure (critical); here it only ends the process.
        catch (Exception)
#pragma warning restore CA1031
        {
            state.Consuming = false;
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }
}
