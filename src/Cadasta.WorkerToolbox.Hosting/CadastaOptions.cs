namespace Cadasta.WorkerToolbox.Hosting;

/// <summary>
/// How the Generic Host builds the toolbox's <see cref="Configuration.Config"/>: values given in
/// code (<see cref="Settings"/>) win over the <see cref="ConfigurationSection"/> of
/// <c>IConfiguration</c> and the <c>CELERY_*</c> environment variables, which win over the defaults.
/// </summary>
public class CadastaOptions
{
    /// <summary>The name of the <c>IConfiguration</c> section whose keys are setting names (default <c>Cadasta</c>).</summary>
    public const string DefaultSectionName = "Cadasta";

    /// <summary>Values given in code, by setting name (<c>broker_url</c>, <c>QUEUES</c>, ...), as <see cref="Configuration.Config"/> takes them.</summary>
    public IDictionary<string, object?> Settings { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>
    /// The <c>IConfiguration</c> section read for settings (its keys are setting names, its values as
    /// environment values: text, or Python literals for other types); null reads none.
    /// </summary>
    public string? ConfigurationSection { get; set; } = DefaultSectionName;

    /// <summary>How long each health check waits for the broker or the result database before it reports unhealthy (default 5 s).</summary>
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Where <c>SETUP_FILE_LOGGING</c> writes <c>app.info.log</c> and <c>app.error.log</c>; null: the current directory, as the Python toolbox.</summary>
    public string? LogDirectory { get; set; }

    /// <summary>The environment variables to read; null reads the process environment (tests pass their own).</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; set; }
}
