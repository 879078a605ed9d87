using System.CommandLine;
using Cadasta.WorkerToolbox.Configuration;

namespace Cadasta.WorkerToolbox.Cli.Commands;

/// <summary>
/// <c>cadasta-worker config</c>: prints the resolved configuration (code defaults, then the
/// environment) as the Python toolbox's repr, or as JSON with <c>--json</c>. A setting that cannot
/// be used prints its error on stderr and exits with 2.
/// </summary>
public static class ConfigCommand
{
    /// <summary>The exit code when the configuration is invalid.</summary>
    public const int InvalidConfigurationExitCode = 2;

    /// <summary>Builds the command.</summary>
    /// <param name="environment">The environment variables to read; null reads the process environment (tests pass their own).</param>
    public static Command Create(IReadOnlyDictionary<string, string>? environment = null)
    {
        var json = new Option<bool>("--json") { Description = "Print the settings as one JSON object." };
        var all = new Option<bool>("--all") { Description = "Add the uppercase toolbox variables (QUEUES, RESULT_DB_*, ...)." };
        var showSecrets = new Option<bool>("--show-secrets") { Description = "Print passwords instead of ****." };
        var command = new Command("config", "Show the configuration a worker started here would use.")
        {
            json,
            all,
            showSecrets,
        };
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            if (!CliConfig.TryLoad(environment, parseResult.InvocationConfiguration.Error, out var config))
            {
                return InvalidConfigurationExitCode;
            }

            var options = (parseResult.GetValue(all) ? ConfigPrintOptions.IncludeVariables : ConfigPrintOptions.None)
                | (parseResult.GetValue(showSecrets) ? ConfigPrintOptions.ShowSecrets : ConfigPrintOptions.None);
            output.WriteLine(parseResult.GetValue(json) ? config.ToJson(options) : config.ToPythonRepr(options));
            return 0;
        });
        return command;
    }
}
