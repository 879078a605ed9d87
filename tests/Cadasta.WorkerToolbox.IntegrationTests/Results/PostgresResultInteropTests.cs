namespace Cadasta.WorkerToolbox.IntegrationTests.Results;

/// <summary>The interop suite on the real PostgreSQL, in the shared public tables (unique task ids).</summary>
public sealed class PostgresResultInteropTests : ResultInteropSuite
{
    protected override string Url => ResultPostgres.Url;
}
