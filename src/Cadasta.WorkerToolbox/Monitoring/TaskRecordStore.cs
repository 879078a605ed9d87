using Cadasta.WorkerToolbox.Results;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>Opens the task monitor's record table in a result database.</summary>
public static class TaskRecordStore
{
    /// <summary>The table the monitor records tasks in, next to Celery's <c>celery_taskmeta</c>.</summary>
    public const string TableName = SqlTaskRecordStore.DefaultTableName;

    /// <summary>
    /// Creates the record store for Celery's result backend URL (<c>db+postgresql://...</c> or
    /// <c>db+sqlite:///...</c>), parsed as the result store parses it. Nothing connects until first use; dispose
    /// the store to close its connections.
    /// </summary>
    /// <param name="resultBackendUrl">Celery's <c>result_backend</c>.</param>
    /// <param name="timeProvider">The clock for pauses between read attempts; the system clock when null.</param>
    /// <exception cref="FormatException">The URL is not a supported database URL (the message never holds the password).</exception>
    public static ITaskRecordStore Create(string resultBackendUrl, TimeProvider? timeProvider = null)
    {
        var url = ResultBackendUrl.Parse(resultBackendUrl);
        if (url.Kind == ResultBackendKind.PostgreSql)
        {
            var dataSource = NpgsqlDataSource.Create(url.ConnectionString);
            return new SqlTaskRecordStore(
                SqlDialect.PostgreSql, dataSource.CreateConnection, ownedResource: dataSource, clearPool: dataSource.Clear, timeProvider: timeProvider);
        }

        var connectionString = url.ConnectionString;
        return new SqlTaskRecordStore(SqlDialect.Sqlite, () => new SqliteConnection(connectionString), timeProvider: timeProvider);
    }
}
