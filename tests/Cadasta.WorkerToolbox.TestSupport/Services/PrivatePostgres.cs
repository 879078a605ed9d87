namespace Cadasta.WorkerToolbox.TestSupport.Services;

/// <summary>
/// A PostgreSQL cluster of this test alone (<c>scripts/services/private-postgres</c>): initdb into a
/// temporary directory, own port on 127.0.0.1, role worker / cadasta and database cadasta, so a test
/// may stop, kill and restart it while other tests use the shared server on 5432. Disposing stops it
/// and deletes its directory.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private const string Script = "private-postgres";

    private PrivatePostgres(string directory, int port)
    {
        Directory = directory;
        Port = port;
    }

    /// <summary>Where the cluster lives.</summary>
    public string Directory { get; }

    /// <summary>The port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Creates and starts a cluster (about 1-3 s).</summary>
    public static async Task<PrivatePostgres> StartAsync()
    {
        var cluster = new PrivatePostgres(ServiceScript.NewStateDirectory("postgres"), ServiceScript.FreePorts());
        try
        {
            await cluster.StartAgainAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>Celery's result backend URL of a database of this cluster.</summary>
    /// <param name="database">The database (default <c>cadasta</c>).</param>
    public string BackendUrl(string database = "cadasta") => $"db+postgresql://worker:cadasta@127.0.0.1:{Port}/{database}";

    /// <summary>An Npgsql connection string to a database of this cluster, as worker.</summary>
    /// <param name="database">The database (default <c>cadasta</c>).</param>
    public string ConnectionString(string database = "cadasta") =>
        $"Host=127.0.0.1;Port={Port};Username=worker;Password=cadasta;Database={database};Pooling=false";

    /// <summary>Creates a database owned by worker.</summary>
    /// <param name="database">Its name (letters, digits and underscores).</param>
    public Task CreateDatabaseAsync(string database) =>
        PsqlAsync("postgres", $"CREATE DATABASE \"{database}\" OWNER worker");

    /// <summary>Runs SQL as the superuser and returns its unaligned, tuples-only output.</summary>
    /// <param name="database">The database.</param>
    /// <param name="sql">The SQL.</param>
    public Task<string> PsqlAsync(string database, string sql) =>
        ServiceScript.RunAsync(Script, "psql", Directory, "-d", database, "-qtAX", "-v", "ON_ERROR_STOP=1", "-c", sql);

    /// <summary>Starts the cluster again (after a stop or a kill) and waits until it accepts connections.</summary>
    public Task StartAgainAsync() => ServiceScript.RunAsync(Script, "start", Directory, $"{Port}");

    /// <summary>Fast shutdown: sessions are cut, data kept.</summary>
    public Task StopAsync() => ServiceScript.RunAsync(Script, "stop", Directory);

    /// <summary>Immediate shutdown, as a crash (recovery on the next start).</summary>
    public Task KillAsync() => ServiceScript.RunAsync(Script, "kill", Directory);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            PrivateRabbitMq.TryDelete(Directory);
        }
    }
}
