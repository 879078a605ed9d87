using Microsoft.Data.Sqlite;

namespace Cadasta.WorkerToolbox.Tests.Results;

/// <summary>An SQLite database file in a fresh temporary directory, deleted afterwards.</summary>
internal sealed class TempSqliteFile : IDisposable
{
    public TempSqliteFile()
    {
        Directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cadasta-results-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Path = System.IO.Path.Combine(Directory, "results.db");
    }

    public string Directory { get; }

    public string Path { get; }

    public string Url => "db+sqlite:///" + Path;

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection($"Data Source={Path};Pooling=False");
        connection.Open();
        return connection;
    }

    public object? Scalar(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var result = command.ExecuteScalar();
        return result is DBNull ? null : result;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
