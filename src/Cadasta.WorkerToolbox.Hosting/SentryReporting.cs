using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Worker;
using Sentry;

namespace Cadasta.WorkerToolbox.Hosting;

/// <summary>
/// <c>SETUP_SENTRY_LOGGING</c>'s one <see cref="SentryClient"/> (null when off), shared by the failed-task
/// reporter (raven's <c>register_signal</c>) and the ERROR-line logger (raven's <c>register_logger_signal</c>).
/// It never touches the SDK's global hub: nothing else in the process is captured. A failed task is
/// one event: the worker raises <c>TaskFailed</c> before it logs the failure, so the task event (with
/// task id, args, kwargs) is captured first, and the client drops every later event with the same
/// exception object (<see cref="DeduplicateMode.SameExceptionInstance"/>), such as that ERROR line.
/// Raven's <c>CeleryFilter</c> dropped Celery's failure line the same way.
/// </summary>
internal sealed class SentryReporting : IDisposable
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(5);
    private readonly SentryClient? _client;

    public SentryReporting(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.SetupSentryLogging && config.SentryDsn is { } dsn)
        {
            _client = new SentryClient(CreateOptions(config, dsn));
        }
    }

    public bool Enabled => _client is not null;

    internal static SentryOptions CreateOptions(Config config, string dsn)
    {
        var options = new SentryOptions
        {
            Dsn = dsn,
            AutoSessionTracking = false,
            SendDefaultPii = false,
            RequestBodyCompressionLevel = System.IO.Compression.CompressionLevel.NoCompression,
        };

        // The SDK's default, made explicit because one failed task must stay one event (see the class summary).
        options.DeduplicateMode |= DeduplicateMode.SameExceptionInstance;
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

    /// <summary>Sends the task event of a failed task.</summary>
    public void ReportTaskFailure(TaskFailureEventArgs failure)
    {
        if (_client is null)
        {
            return;
        }

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

        _client.CaptureEvent(sentryEvent);
    }

    /// <summary>Sends an event built from a log record.</summary>
    public void CaptureLogEvent(SentryEvent sentryEvent) => _client?.CaptureEvent(sentryEvent);

    public Task FlushAsync() => _client is null ? Task.CompletedTask : _client.FlushAsync(FlushTimeout);

    public void Dispose() => (_client as IDisposable)?.Dispose();
}
