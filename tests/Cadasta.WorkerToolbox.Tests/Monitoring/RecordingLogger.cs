using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Tests.Monitoring;

/// <summary>Keeps every log entry for assertions.</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, EventId Event, string Message, Exception? Exception)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, eventId, formatter(state, exception), exception));

    public IReadOnlyList<string> At(LogLevel level) => [.. Entries.Where(entry => entry.Level == level).Select(entry => entry.Message)];
}
