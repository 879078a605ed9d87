using System.Collections.Concurrent;
using System.Data.Common;
using Cadasta.WorkerToolbox.Monitoring;

namespace Cadasta.WorkerToolbox.Tests.Monitoring;

/// <summary>Wraps a store: its first <c>failures</c> writes throw as a lost database connection does; every write is counted.</summary>
internal sealed class FlakyTaskRecordStore(ITaskRecordStore inner, int failures = 0) : ITaskRecordStore
{
    private int _remainingFailures = failures;
    private int _writes;

    public int Writes => Volatile.Read(ref _writes);

    public ConcurrentQueue<int> BatchSizes { get; } = new();

    /// <summary>When set, writes wait for it before reaching the database.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public Task EnsureSchemaAsync(CancellationToken cancellationToken = default) => inner.EnsureSchemaAsync(cancellationToken);

    public async Task<IReadOnlySet<string>> AddIfAbsentAsync(IReadOnlyList<TaskRecord> records, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _writes);
        BatchSizes.Enqueue(records.Count);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (Interlocked.Decrement(ref _remainingFailures) >= 0)
        {
            throw new SimulatedDatabaseException();
        }

        return await inner.AddIfAbsentAsync(records, cancellationToken);
    }

    public Task<TrackedTask?> FindAsync(string taskId, CancellationToken cancellationToken = default) => inner.FindAsync(taskId, cancellationToken);

    public Task<IReadOnlyList<TrackedTask>> FindFamilyAsync(string rootId, CancellationToken cancellationToken = default) =>
        inner.FindFamilyAsync(rootId, cancellationToken);

    public Task<IReadOnlyList<TrackedTask>> ListRecentAsync(int limit, CancellationToken cancellationToken = default) =>
        inner.ListRecentAsync(limit, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private sealed class SimulatedDatabaseException() : DbException("connection to the database was lost (simulated)");
}
