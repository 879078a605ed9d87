using Cadasta.WorkerToolbox.Worker;
using Microsoft.Extensions.Hosting;

namespace Cadasta.WorkerToolbox.Hosting;

/// <summary>
/// <c>SETUP_SENTRY_LOGGING</c>: reports every failed task to Sentry, as the Python toolbox's raven
/// <c>register_signal</c> did on <c>task_failure</c>: the exception, with the extras <c>task_id</c>,
/// <c>task</c>, <c>args</c> and <c>kwargs</c> (as JSON), the task name as transaction, and
/// <c>SENTRY_NAME</c> (server name), <c>SENTRY_ENVIRONMENT</c>, <c>SENTRY_RELEASE</c>
/// (<see cref="SentryReporting"/>); flushes when the host stops.
/// </summary>
internal sealed class SentryTaskReporter(SentryReporting sentry, TaskWorker worker) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (sentry.Enabled)
        {
            worker.TaskFailed += Report;
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (sentry.Enabled)
        {
            worker.TaskFailed -= Report;
            await sentry.FlushAsync().ConfigureAwait(false);
        }
    }

    private void Report(object? sender, TaskFailureEventArgs failure) => sentry.ReportTaskFailure(failure);
}
