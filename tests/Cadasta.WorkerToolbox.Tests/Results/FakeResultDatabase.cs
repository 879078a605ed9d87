using System.Collections.Concurrent;
using Cadasta.WorkerToolbox.Results;

namespace Cadasta.WorkerToolbox.Tests.Results;

/// <summary>A database that fails on demand (transient or not) and otherwise keeps rows in memory.</summary>
internal sealed class FakeResultDatabase : IResultDatabase
{
    public ConcurrentDictionary<string, ResultRow> Rows { get; } = new();

    public int Attempts;

    /// <summary>Decides per attempt whether (and how) the write fails; null lets it pass.</summary>
    public Func<IReadOnlyList<ResultRow>, Exception?> FailWith { get; set; } = _ => null;

    public string Endpoint => "db+postgresql://worker:***@127.0.0.1:1/cadasta";

    public Task EnsureSchemaAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task WriteAsync(IReadOnlyList<ResultRow> rows, DateTime utcNow, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Attempts);
        if (FailWith(rows) is { } failure)
        {
            return Task.FromException(failure);
        }

        foreach (var row in rows)
        {
            Rows[row.TaskId] = row;
        }

        return Task.CompletedTask;
    }

    public Task<StoredRow?> ReadAsync(string taskId, CancellationToken cancellationToken) =>
        Task.FromResult(Rows.TryGetValue(taskId, out var row) ? new StoredRow(row.TaskId, row.Status, row.Result, null, row.Traceback, null) : null);

    public bool IsTransient(Exception exception) => exception is TimeoutException;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
