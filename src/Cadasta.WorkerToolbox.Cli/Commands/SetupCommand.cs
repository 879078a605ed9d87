using System.CommandLine;
using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.Cli.Commands;

/// <summary>
/// <c>cadasta-worker setup</c>: declares the exchange, queues and bindings of the configuration on
/// its broker (the toolbox's <c>setup_app</c>) and says what it declared. Exit 2 for an invalid
/// configuration, 3 when the broker refuses or cannot be reached.
/// </summary>
public static class SetupCommand
{
    /// <summary>The exit code when the broker refused the declarations or could not be reached.</summary>
    public const int BrokerErrorExitCode = 3;

    /// <summary>Builds the command.</summary>
    /// <param name="environment">The environment variables to read; null reads the process environment (tests pass their own).</param>
    public static Command Create(IReadOnlyDictionary<string, string>? environment = null)
    {
        var command = new Command("setup", "Declare the exchange, queues and bindings on the configured broker.");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            if (!CliConfig.TryLoad(environment, error, out var config))
            {
                return ConfigCommand.InvalidConfigurationExitCode;
            }

            var topology = config.CreateTopology();
            using var logging = CliLogging.Create();
            try
            {
                var transport = TransportFactory.Create(config, loggerFactory: logging);
                await using (transport.ConfigureAwait(false))
                {
                    await transport.DeclareAsync(topology, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (ConfigurationException e)
            {
                await error.WriteLineAsync($"Invalid configuration: {e.Message}").ConfigureAwait(false);
                return ConfigCommand.InvalidConfigurationExitCode;
            }
#pragma warning disable CA1031 // any broker failure is reported on stderr as the command's outcome
            catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
            {
                await error.WriteLineAsync($"Set-up failed on {Masked(config)}: {e.Message}").ConfigureAwait(false);
                return BrokerErrorExitCode;
            }

            await output.WriteLineAsync($"Declared on {Masked(config)}:").ConfigureAwait(false);
            foreach (var exchange in topology.Exchanges)
            {
                await output.WriteLineAsync($"  exchange {exchange.Name} ({exchange.Type}, {(exchange.Durable ? "durable" : "transient")})").ConfigureAwait(false);
            }

            foreach (var binding in topology.Bindings)
            {
                await output.WriteLineAsync($"  queue {binding.Queue} bound to {binding.Exchange} with '{binding.RoutingKey}'").ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    private static string Masked(Config config) => SecretMasker.MaskUrlPasswords(TransportFactory.BrokerUrl(config));
}
