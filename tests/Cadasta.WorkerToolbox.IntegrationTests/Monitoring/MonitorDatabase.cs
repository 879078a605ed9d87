using Cadasta.WorkerToolbox.Monitoring;
using Cadasta.WorkerToolbox.TestSupport.Interop;
using Npgsql;

namespace Cadasta.WorkerToolbox.IntegrationTests.Monitoring;

/// <summary>The test PostgreSQL database (worker / cadasta / cadasta) as the monitor's tests use it.</summary>
internal static class MonitorDatabase
{
    public const string ConnectionString = "Host=127.0.0.1;Port=5432;Username=worker;Password=cadasta;Database=cadasta;Timeout=5";

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
