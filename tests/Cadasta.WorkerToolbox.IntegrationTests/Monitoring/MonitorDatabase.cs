using Cadasta.WorkerToolbox.Monitoring;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.TestSupport.Interop;
using Npgsql;

namespace Cadasta.WorkerToolbox.IntegrationTests.Monitoring;

/// <summary>The test PostgreSQL database (worker / cadasta / cadasta) as the monitor's tests use it.</summary>
internal static class MonitorDatabase
{
    /// <summary>The test database's connection string, from the result backend URL as the result store parses it.</summary>
    public static string ConnectionString { get; } = ResultBackendUrl.Parse(RequiredService.PostgreSqlBackendUrl).ConnectionString;

    public static async Task<SqlTaskRecordStore> CreateStoreAsync(string table = SqlTaskRecordStore.DefaultTableName)
    {
        await RequiredService.PostgreSql.EnsureAsync();
        var store = new SqlTaskRecordStore(SqlDialect.PostgreSql, () => new NpgsqlConnection(ConnectionString), table);
        await store.EnsureSchemaAsync();
        return store;
    }

    public static async Task<object?> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync();
    }
}
