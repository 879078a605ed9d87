namespace Cadasta.WorkerToolbox.Results;

/// <summary>One database dialect behind <see cref="DatabaseResultStore"/>: schema, batched upsert, read.</summary>
internal interface IResultDatabase : IAsyncDisposable
{
    /// <summary>The URL without its password, for logs.</summary>
    string Endpoint { get; }

    Task EnsureSchemaAsync(CancellationToken cancellationToken);

    /// <summary>Upserts every row in one transaction; returns only after it committed.</summary>
    Task WriteAsync(IReadOnlyList<ResultRow> rows, DateTime utcNow, CancellationToken cancellationToken);

    Task<StoredRow?> ReadAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>True when trying again later may succeed (connection lost, server starting, deadlock, busy).</summary>
    bool IsTransient(Exception exception);
}
