using System.Collections.Concurrent;
using Cadasta.WorkerToolbox.Results;

namespace Cadasta.WorkerToolbox.Tests.Worker.Harness;

/// <summary>
/// Wraps a real result store: records every write in the shared event log only once the inner
/// store's write completed (committed), and keeps each task's history of states.
/// </summary>
internal sealed class RecordingResultStore(IResultStore inner, EventLog log) : IResultStore
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _history = new();

    public async Task StoreAsync(TaskResult result, CancellationToken cancellationToken = default)
    {
        await inner.StoreAsync(result, cancellationToken);
        _history.GetOrAdd(result.TaskId, _ => new()).Enqueue(result.State);
        log.Add($"store {result.State} {result.TaskId}");
    }

    public Task<TaskResult?> ReadAsync(string taskId, CancellationToken cancellationToken = default) => inner.ReadAsync(taskId, cancellationToken);

    public Task EnsureSchemaAsync(CancellationToken cancellationToken = default) => inner.EnsureSchemaAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    public IReadOnlyList<string> History(string taskId) => _history.TryGetValue(taskId, out var states) ? [.. states] : [];
}
