using System.Globalization;
using Microsoft.Extensions.Logging;
using Sentry;

namespace Cadasta.WorkerToolbox.Hosting;

/// <summary>
/// <c>SETUP_SENTRY_LOGGING</c>'s second half, as raven's <c>register_logger_signal</c>: every log record
/// at ERROR or above becomes a Sentry event (message and its template, level <c>error</c> or
/// <c>fatal</c>, the category as logger, the exception, the structured values as extras), through the
/// same <see cref="SentryClient"/> as the failed-task events. The worker's ERROR line about a failed
/// task carries the exception its task event was captured with, so the client drops it (see
/// <see cref="SentryReporting"/>): one failure, one event. Disabled when off.
/// </summary>
internal sealed class SentryLoggerProvider(SentryReporting sentry) : ILoggerProvider
{
    private const string TemplateKey = "{OriginalFormat}";

    public ILogger CreateLogger(string categoryName) => new SentryLogger(sentry, categoryName);

    public void Dispose()
    {
        // The client belongs to SentryReporting (disposed, and so flushed, by the container).
    }

    private sealed class SentryLogger(SentryReporting sentry, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => sentry.Enabled && logLevel is LogLevel.Error or LogLevel.Critical;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, exception);
            var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            var sentryEvent = exception is null ? new SentryEvent() : new SentryEvent(exception);
            sentryEvent.Message = new SentryMessage
            {
                // The template groups events whose values differ; the text is what was logged.
                Message = values.FirstOrDefault(v => v.Key == TemplateKey).Value as string ?? message,
                Formatted = message,
            };
            sentryEvent.Level = logLevel == LogLevel.Critical ? SentryLevel.Fatal : SentryLevel.Error;
            sentryEvent.Logger = category;
            foreach (var (key, value) in values)
            {
                if (key != TemplateKey)
                {
                    sentryEvent.SetExtra(key, Convert.ToString(value, CultureInfo.InvariantCulture));
                }
            }

            if (eventId.Name is { } name)
            {
                sentryEvent.SetExtra("event_name", name);
            }

            sentry.CaptureLogEvent(sentryEvent);
        }
    }
}
