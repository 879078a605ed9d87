using System.Collections.Concurrent;
using Cadasta.WorkerToolbox.Results;

namespace Cadasta.WorkerToolbox.Tests.Results;

/// <summary>A result database whose writes can be held; records every batch it committed.</summary>
internal sealed class GatedResultDatabase : IResultDatabase
{
    private TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _waiting;

    public GatedResultDatabase() => _gate.SetResult();

    public ConcurrentQueue<IReadOnlyList<ResultRow>> Batches { get; } = new();

    public bool Waiting => _waiting;

    /// <summary>Decides per released write whether it fails; null lets it commit.</summary>
    public Func<IReadOnlyList<ResultRow>, Exception?> FailWith { get; set; } = _ => null;

    public string Endpoint => "gated";

    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate.TrySetResult();

    public Task EnsureSchemaAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task WriteAsync(IReadOnlyList<ResultRow> rows, DateTime utcNow, CancellationToken cancellationToken)
    {
        _waiting = true;
        await _gate.Task;
        _waiting = false;
        if (FailWith(rows) is { } failure)
        {
            throw failure;
        }

        Batches.Enqueue([.. rows]);
    }

    public Task<StoredRow?> ReadAsync(string taskId, CancellationToken cancellationToken) => Task.FromResult<StoredRow?>(null);

    public bool IsTransient(Exception exception) => false;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
