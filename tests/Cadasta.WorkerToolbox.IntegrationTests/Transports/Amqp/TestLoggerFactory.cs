using Xunit.Abstractions;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.IntegrationTests.Transports.Amqp;

/// <summary>Collects every log line (and echoes it to the test output) so tests can assert on what was logged.</summary>
internal sealed class TestLoggerFactory(ITestOutputHelper? output = null) : ILoggerFactory
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(TestLoggerFactory factory) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            factory._entries.Enqueue((logLevel, message));
            try
            {
                factory.Output?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel}: {message}");
            }
            catch (InvalidOperationException)
            {
                // The test has finished; its output is closed.
            }
        }
    }

    private ITestOutputHelper? Output => output;
}
