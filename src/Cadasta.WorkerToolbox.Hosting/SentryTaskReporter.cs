using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Worker;
using Microsoft.Extensions.Hosting;
using Sentry;

namespace Cadasta.WorkerToolbox.Hosting;

/// <summary>
/// <c>SETUP_SENTRY_LOGGING</c>: reports every failed task to Sentry, as the Python toolbox's raven
/// <c>register_signal</c> did on <c>task_failure</c>: the exception, with the extras <c>task_id</c>,
/// <c>task</c>, <c>args</c> and <c>kwargs</c> (as JSON), the task name as transaction, and
/// <c>SENTRY_NAME</c> (server name), <c>SENTRY_ENVIRONMENT</c>, <c>SENTRY_RELEASE</c>. Uses its own
/// <see cref="SentryClient"/>, never the SDK's global hub: nothing else in the process is captured.
/// </summary>
internal sealed class SentryTaskReporter(Config config, TaskWorker worker) : IHostedService, IDisposable
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(5);
    private SentryClient? _client;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (config.SetupSentryLogging && config.SentryDsn is { } dsn)
        {
            _client = new SentryClient(CreateOptions(config, dsn));
            worker.TaskFailed += Report;
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_client is { } client)
        {
            worker.TaskFailed -= Report;
            await client.FlushAsync(FlushTimeout).ConfigureAwait(false);
        }
    }

    public void Dispose() => (_client as IDisposable)?.Dispose();

    internal static SentryOptions CreateOptions(Config config, string dsn)
    {
        var options = new SentryOptions
        {
            Dsn = dsn,
            AutoSessionTracking = false,
            SendDefaultPii = false,
            RequestBodyCompressionLevel = System.IO.Compression.CompressionLevel.NoCompression,
        };
        if (config.SentryName is { } name)
        {
            options.ServerName = name;
        }

        if (config.SentryEnvironment is { } environment)
        {
            options.Environment = environment;
        }

        if (config.SentryRelease is { } release)
        {
            options.Release = release;
        }

        return options;
    }

    private void Report(object? sender, TaskFailureEventArgs failure)
    {
        var sentryEvent = new SentryEvent(failure.Exception)
        {
            Level = SentryLevel.Error,
            TransactionName = failure.TaskName,
            Logger = "celery.task",
        };
        sentryEvent.SetExtra("task_id", failure.TaskId);
        sentryEvent.SetExtra("task", failure.TaskName);
        sentryEvent.SetExtra("args", failure.Args);
        sentryEvent.SetExtra("kwargs", failure.Kwargs);
        sentryEvent.SetExtra("traceback", failure.Traceback);
        if (failure.Exception.GetType().Name == "SoftTimeLimitExceeded" || failure.Exception.Message.Contains("SoftTimeLimitExceeded", StringComparison.Ordinal))
        {
            sentryEvent.SetFingerprint(["celery", "SoftTimeLimitExceeded", failure.TaskName]);
        }

        _client?.CaptureEvent(sentryEvent);
    }
}
