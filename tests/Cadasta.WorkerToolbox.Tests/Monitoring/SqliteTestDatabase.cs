using Cadasta.WorkerToolbox.Monitoring;
using Microsoft.Data.Sqlite;

namespace Cadasta.WorkerToolbox.Tests.Monitoring;

/// <summary>A SQLite database file of its own for one test, deleted afterwards.</summary>
internal sealed class SqliteTestDatabase : IDisposable
{
    public SqliteTestDatabase()
    {
        FilePath = Path.Combine(Path.GetTempPath(), $"cadasta-monitor-{Guid.NewGuid():N}.db");
    }

    public string FilePath { get; }

    public string ConnectionString => new SqliteConnectionStringBuilder { DataSource = FilePath, Pooling = false }.ToString();

    public SqliteConnection CreateConnection() => new(ConnectionString);

    public SqlTaskRecordStore CreateStore() => new(SqlDialect.Sqlite, CreateConnection);

    /// <summary>Celery's result table as SQLAlchemy creates it on SQLite (facts §7.1), for the status join.</summary>
    public void CreateCeleryResultTable()
    {
        Execute("""
            CREATE TABLE IF NOT EXISTS celery_taskmeta (
                id INTEGER PRIMARY KEY AUTOINCREMENT, task_id VARCHAR(155) UNIQUE, status VARCHAR(50),
                result BLOB, date_done DATETIME, traceback TEXT)
            """);
    }

    public void SetStatus(string taskId, string status) =>
        Execute("INSERT INTO celery_taskmeta (task_id, status) VALUES ($id, $status) ON CONFLICT (task_id) DO UPDATE SET status = $status",
            ("$id", taskId), ("$status", status));

    public void Execute(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = CreateConnection();
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }

    public object? Scalar(string sql)
    {
        using var connection = CreateConnection();
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var path in new[] { FilePath, FilePath + "-wal", FilePath + "-shm", FilePath + "-journal" })
        {
            File.Delete(path);
        }
    }
}
