using System.Data.Common;

namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>Opens the connections the task-record store and the browser work on, ready for their dialect.</summary>
internal static class SqlConnections
{
    /// <summary>
    /// Opens <paramref name="connection"/>. On SQLite it also sets <c>busy_timeout</c>: a writer in another
    /// connection or process holds the file's lock for a moment, and SQLite's own busy handler waits for it at
    /// every step, where Microsoft.Data.Sqlite retries only some calls ('database is locked' from reading the
    /// rows of a statement otherwise, such as an INSERT ... RETURNING or a page of records).
    /// </summary>
    public static async Task OpenAsync(DbConnection connection, SqlDialect dialect, CancellationToken cancellationToken)
    {
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (dialect != SqlDialect.Sqlite)
        {
            return;
        }

        var busy = connection.CreateCommand();
        await using var busyScope = busy.ConfigureAwait(false);
        busy.CommandText = "PRAGMA busy_timeout = 30000";
        await busy.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
