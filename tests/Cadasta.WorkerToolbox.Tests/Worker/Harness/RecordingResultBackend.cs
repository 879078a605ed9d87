using System.Collections.Concurrent;
using Cadasta.WorkerToolbox.Worker;

namespace Cadasta.WorkerToolbox.Tests.Worker.Harness;

/// <summary>A result store in memory that records every write, in order, in the shared event log.</summary>
internal sealed class RecordingResultBackend(EventLog log) : IResultBackend
{
    private readonly ConcurrentDictionary<string, StoredState> _states = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _history = new();

    public Task StoreAsync(string taskId, string state, object? value, ExceptionInfo? error, CancellationToken cancellationToken)
    {
        _states[taskId] = new StoredState(state, value, error);
        _history.GetOrAdd(taskId, _ => new()).Enqueue(state);
        log.Add($"store {state} {taskId}");
        return Task.CompletedTask;
    }

    public Task<StoredState> GetAsync(string taskId, CancellationToken cancellationToken) =>
        Task.FromResult(_states.GetValueOrDefault(taskId) ?? new StoredState("PENDING", null, null));

    public IReadOnlyList<string> History(string taskId) => _history.TryGetValue(taskId, out var states) ? [.. states] : [];
}
