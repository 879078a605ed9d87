using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.Worker;
using Microsoft.Extensions.Hosting;

namespace Cadasta.WorkerToolbox.Hosting;

/// <summary>
/// Runs the <see cref="TaskWorker"/> for the host's lifetime: creates the result table if needed
/// and starts consuming on start; on stop, stops taking messages and lets running tasks finish
/// within the worker's grace period (cut short if the host's own shutdown timeout fires first).
/// When the broker ends the worker's subscription by itself (a consumed queue deleted), the host
/// is stopped instead of running on without receiving anything, and the stop throws the reason,
/// so <c>host.RunAsync()</c> fails and the process can exit non-zero.
/// </summary>
internal sealed class WorkerHostedService(
    TaskWorker worker, IResultStore results, WorkerOptions options, WorkerState state, IHostApplicationLifetime lifetime) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await results.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);

        await worker.StartAsync(cancellationToken).ConfigureAwait(false);
        state.Consuming = true;
        _ = worker.ConsumerCompletion.ContinueWith(
            _ =>
            {
                state.Consuming = false;
                lifetime.StopApplication();
            },
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Default);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        state.Consuming = false;
        await worker.StopAsync(options.ShutdownGracePeriod, cancellationToken).ConfigureAwait(false);
        if (worker.ConsumerCompletion.Exception?.InnerException is { } failure)
        {
            throw new InvalidOperationException($"The worker stopped because its broker consumer failed: {failure.Message}", failure);
        }
    }
}
