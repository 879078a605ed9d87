namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>The SQL databases the result backend supports, which differ in DDL and timestamp storage.</summary>
internal enum SqlDialect
{
    PostgreSql,
    Sqlite,
}
