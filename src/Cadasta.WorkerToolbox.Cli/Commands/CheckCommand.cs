using System.CommandLine;
using Cadasta.WorkerToolbox.Conformance;

namespace Cadasta.WorkerToolbox.Cli.Commands;

/// <summary>
/// <c>cadasta-worker check</c>: runs the original toolbox's functional checks against the current
/// configuration, one line per check; exits 1 when any fails, 2 when the configuration is invalid.
/// </summary>
public static class CheckCommand
{
    /// <summary>The exit code when a check fails.</summary>
    public const int CheckFailedExitCode = 1;

    /// <summary>Builds the command.</summary>
    /// <param name="environment">The environment variables to read; null reads the process environment (tests pass their own).</param>
    public static Command Create(IReadOnlyDictionary<string, string>? environment = null)
    {
        var command = new Command("check", "Check that the configuration gives the Cadasta topology and routing.");
        command.SetAction(parseResult =>
        {
            if (!CliConfig.TryLoad(environment, parseResult.InvocationConfiguration.Error, out var config))
            {
                return ConfigCommand.InvalidConfigurationExitCode;
            }

            var results = ConformanceChecks.Run(config);
            foreach (var result in results)
            {
                parseResult.InvocationConfiguration.Output.WriteLine(result.ToString());
            }

            return results.All(r => r.Passed) ? 0 : CheckFailedExitCode;
        });
        return command;
    }
}
