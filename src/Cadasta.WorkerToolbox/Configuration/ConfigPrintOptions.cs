namespace Cadasta.WorkerToolbox.Configuration;

/// <summary>What <see cref="Config.ToPythonRepr"/> and <see cref="Config.ToJson"/> include.</summary>
[Flags]
public enum ConfigPrintOptions
{
    /// <summary>The lowercase Celery settings only, passwords masked.</summary>
    None = 0,

    /// <summary>Add the uppercase toolbox variables (<c>QUEUES</c>, <c>RESULT_DB_PASS</c>, ...).</summary>
    IncludeVariables = 1,

    /// <summary>Print passwords and other secrets as they are.</summary>
    ShowSecrets = 2,
}
