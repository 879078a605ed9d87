using Npgsql;

namespace Cadasta.WorkerToolbox.IntegrationTests.Results;

/// <summary>The test PostgreSQL (worker/cadasta@127.0.0.1:5432/cadasta) and throw-away schemas on it.</summary>
internal static class ResultPostgres
{
    public const string Url = "db+postgresql://worker:cadasta@127.0.0.1:5432/cadasta";

    public const string ConnectionString = "Host=127.0.0.1;Port=5432;Username=worker;Password=cadasta;Database=cadasta;Pooling=false";

    /// <summary>Fails the test with the command that starts PostgreSQL when it is not running.</summary>
    public static void RequireRunning()
    {
        using var connection = new NpgsqlConnection(ConnectionString + ";Timeout=5");
        try
        {
            connection.Open();
        }
        catch (NpgsqlException exception)
        {
            Assert.Fail($"PostgreSQL is not reachable at 127.0.0.1:5432 ({exception.Message}); start it with: scripts/services/postgres start");
        }
    }

    public static async Task<NpgsqlConnection> OpenAsync(string? searchPath = null)
    {
        var connection = new NpgsqlConnection(ConnectionString + (searchPath is null ? string.Empty : $";Search Path={searchPath}"));
        try
        {
            await connection.OpenAsync();
        }
        catch (NpgsqlException exception)
        {
            await connection.DisposeAsync();
            Assert.Fail($"PostgreSQL is not reachable at 127.0.0.1:5432 ({exception.Message}); start it with: scripts/services/postgres start");
        }

        return connection;
    }

    public static async Task<object?> ScalarAsync(string sql, string? searchPath = null)
    {
        await using var connection = await OpenAsync(searchPath);
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }

    public static async Task ExecuteAsync(string sql, string? searchPath = null)
    {
        await using var connection = await OpenAsync(searchPath);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static string NewTaskId(string label) => $"{label}-{Guid.NewGuid()}";
}

/// <summary>A schema of its own, so table-creation tests never see each other's (or the shared) tables.</summary>
internal sealed class ScratchSchema : IAsyncDisposable
{
    private ScratchSchema(string name) => Name = name;

    public string Name { get; }

    /// <summary>The backend URL whose connections see only this schema (libpq options, as psycopg2 takes them).</summary>
    public string Url => $"{ResultPostgres.Url}?options=-csearch_path%3D{Name}";

    public static async Task<ScratchSchema> CreateAsync()
    {
        var schema = new ScratchSchema("results_test_" + Guid.NewGuid().ToString("N")[..12]);
        await ResultPostgres.ExecuteAsync($"CREATE SCHEMA {schema.Name}");
        return schema;
    }

    public async ValueTask DisposeAsync() => await ResultPostgres.ExecuteAsync($"DROP SCHEMA {Name} CASCADE");
}
