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
    public static bool TryLoad(IReadOnlyDictionary<string, string>? environment, TextWriter error, [NotNullWhen(true)] out Config? config)
    {
        try
        {
            config = new Config(environment: environment);
            return true;
        }
        catch (ConfigurationException e)
        {
            error.WriteLine($"Invalid configuration: {e.Message}");
            config = null;
            return false;
        }
    }
}
