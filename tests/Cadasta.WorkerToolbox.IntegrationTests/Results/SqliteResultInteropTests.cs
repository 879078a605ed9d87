namespace Cadasta.WorkerToolbox.IntegrationTests.Results;

/// <summary>The interop suite on an SQLite file that both Python Celery and we open.</summary>
public sealed class SqliteResultInteropTests : ResultInteropSuite, IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "cadasta-results-it-" + Guid.NewGuid().ToString("N"));

    public SqliteResultInteropTests() => Directory.CreateDirectory(directory);

    protected override string Url => "db+sqlite:///" + Path.Combine(directory, "results.db");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }
}
