using System.Diagnostics.CodeAnalysis;
using Cadasta.WorkerToolbox.Configuration;

namespace Cadasta.WorkerToolbox.Cli.Commands;

/// <summary>Loads the configuration for a command, or reports why it cannot be used.</summary>
internal static class CliConfig
{
    /// <summary>
    /// The configuration from <paramref name="environment"/> (null: the process environment); on a bad
    /// setting, writes "Invalid configuration: ..." to <paramref name="error"/> and returns false
    /// (the command then exits with <see cref="ConfigCommand.InvalidConfigurationExitCode"/>).
    /// </summary>
    public static bool TryLoad(IReadOnlyDictionary<string, string>? environment, TextWriter error, [NotNullWhen(true)] out Config? config) =>
        TryLoad(null, environment, error, out config);

    /// <summary>As <see cref="TryLoad(IReadOnlyDictionary{string, string}?, TextWriter, out Config?)"/>, with settings given on the command line (they win over the environment).</summary>
    public static bool TryLoad(
        IReadOnlyDictionary<string, object?>? settings, IReadOnlyDictionary<string, string>? environment, TextWriter error, [NotNullWhen(true)] out Config? config)
    {
        try
        {
            config = new Config(settings, environment);
            return true;
        }
        catch (ConfigurationException e)
        {
            error.WriteLine($"Invalid configuration: {e.Message}");
            config = null;
            return false;
        }
    }

    /// <summary>
    /// The result backend: <paramref name="fromOption"/> (a <c>--backend</c> option) or the configuration's; when
    /// there is none, writes what to do to <paramref name="error"/> and returns false (a configuration error).
    /// </summary>
    public static bool TryResultBackend(string? fromOption, Config config, TextWriter error, [NotNullWhen(true)] out string? backendUrl)
    {
        backendUrl = fromOption ?? config.ResultBackend;
        if (!string.IsNullOrWhiteSpace(backendUrl))
        {
            return true;
        }

        error.WriteLine("No result backend: pass --backend URL or set CELERY_RESULT_BACKEND.");
        backendUrl = null;
        return false;
    }
}
