using System.CommandLine;
using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cadasta.WorkerToolbox.Cli.Commands;

/// <summary>
/// <c>cadasta-worker health [--timeout SECONDS]</c>: runs the toolbox's health checks (broker
/// reachable, result store reachable) against the configured services, the same checks an ASP.NET
/// health endpoint runs, one line per check. Exit code 0 when all are healthy, 1 when one is not,
/// 2 when the configuration is invalid.
/// </summary>
public static class HealthCommand
{
    /// <summary>The exit code when a check is not healthy.</summary>
    public const int UnhealthyExitCode = 1;

    /// <summary>Builds the command.</summary>
    /// <param name="environment">The environment variables to read; null reads the process environment (tests pass their own).</param>
    public static Command Create(IReadOnlyDictionary<string, string>? environment = null)
    {
        var timeout = new Option<double>("--timeout")
        {
            Description = "Seconds each check may take before it counts as unhealthy.",
            DefaultValueFactory = _ => 10,
        };
        var command = new Command("health", "Check that the broker and the result store answer (exit 0 healthy, 1 unhealthy).");
        command.Options.Add(timeout);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var services = new ServiceCollection();
            services.AddCadastaProducer(options =>
            {
                options.Environment = environment;
                options.ConfigurationSection = null;
                options.HealthCheckTimeout = TimeSpan.FromSeconds(parseResult.GetValue(timeout));
            });
            var provider = services.BuildServiceProvider();
            try
            {
                try
                {
                    _ = provider.GetRequiredService<Config>();
                }
                catch (ConfigurationException e)
                {
                    await parseResult.InvocationConfiguration.Error.WriteLineAsync($"Invalid configuration: {e.Message}").ConfigureAwait(false);
                    return ConfigCommand.InvalidConfigurationExitCode;
                }

                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                // Each check stops itself at the timeout; this only guards against one that does not.
            deadline.CancelAfter(TimeSpan.FromSeconds(parseResult.GetValue(timeout) + 5));
                HealthReport report;
                try
                {
                    report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    await output.WriteLineAsync($"health checks timed out after {parseResult.GetValue(timeout)} s: Unhealthy").ConfigureAwait(false);
                    return UnhealthyExitCode;
                }

                foreach (var (name, entry) in report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
                {
                    await output.WriteLineAsync($"{name}: {entry.Status} - {entry.Description}").ConfigureAwait(false);
                }

                return report.Status == HealthStatus.Healthy ? 0 : UnhealthyExitCode;
            }
            finally
            {
                await provider.DisposeAsync().ConfigureAwait(false);
            }
        });
        return command;
    }
}
