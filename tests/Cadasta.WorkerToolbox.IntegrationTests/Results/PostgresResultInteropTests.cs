namespace Cadasta.WorkerToolbox.IntegrationTests.Results;

/// <summary>The interop suite on the real PostgreSQL, in the shared public tables (unique task ids).</summary>
public sealed class PostgresResultInteropTests : ResultInteropSuite
{
    public PostgresResultInteropTests() => ResultPostgres.RequireRunning();

    protected override string Url => ResultPostgres.Url;
}
