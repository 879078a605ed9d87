namespace Cadasta.WorkerToolbox.Results;

/// <summary>The databases the result store speaks to.</summary>
internal enum ResultBackendKind
{
    PostgreSql,
    Sqlite,
}
