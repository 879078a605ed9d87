using System.Collections.Concurrent;
using Cadasta.WorkerToolbox.Results;

namespace Cadasta.WorkerToolbox.Tests.Results;

/// <summary>An <see cref="IResultStore"/> in memory that answers at once, for AsyncResult's polling tests.</summary>
internal sealed class InMemoryResultStore : IResultStore
{
    private readonly ConcurrentDictionary<string, TaskResult> rows = new();

    public int Reads;

    public Task StoreAsync(TaskResult result, CancellationToken cancellationToken = default)
    {
        rows[result.TaskId] = result;
        return Task.CompletedTask;
    }

    public Task<TaskResult?> ReadAsync(string taskId, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Reads);
        return Task.FromResult(rows.TryGetValue(taskId, out var row) ? row : null);
    }

    public Task EnsureSchemaAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
