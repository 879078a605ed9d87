using System.CommandLine;
using System.Net;
using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Dashboard;
using Cadasta.WorkerToolbox.Transports;
using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Cli.Commands;

/// <summary>
/// <c>cadasta-worker dashboard [--urls URL] [--backend URL] [--broker URL] [--no-backlog] [--mask-args] [--verbose]</c>:
/// serves the read-only live dashboard until Ctrl+C or SIGTERM. Credentials come only from the environment
/// (<c>CADASTA_DASHBOARD_TOKEN</c>, <c>CADASTA_DASHBOARD_USER</c> + <c>CADASTA_DASHBOARD_PASSWORD</c>), never from the
/// command line, where other users of the machine could read them. Exit 0 after Ctrl+C; 1 when an address cannot
/// be bound; 2 when the configuration cannot be used.
/// </summary>
public static class DashboardCommand
{
    /// <summary>The environment variable holding the bearer token.</summary>
    public const string TokenVariable = "CADASTA_DASHBOARD_TOKEN";

    /// <summary>The environment variable holding the basic-authentication user.</summary>
    public const string UserVariable = "CADASTA_DASHBOARD_USER";

    /// <summary>The environment variable holding the basic-authentication password.</summary>
    public const string PasswordVariable = "CADASTA_DASHBOARD_PASSWORD";

    /// <summary>The environment variable that masks arguments when set to 1 or true.</summary>
    public const string MaskVariable = "CADASTA_DASHBOARD_MASK_ARGS";

    /// <summary>Exit code when the dashboard cannot listen.</summary>
    public const int ExitCannotListen = 1;

    /// <summary>Exit code when the configuration or a URL cannot be used.</summary>
    public const int ExitConfigurationError = 2;

    /// <summary>Builds the command.</summary>
    /// <param name="environment">The environment variables to read; null reads the process environment (tests pass their own).</param>
    public static Command Create(IReadOnlyDictionary<string, string>? environment = null)
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen, ';' between addresses. Default: http://127.0.0.1:5555 (this machine only).", DefaultValueFactory = _ => DashboardOptions.DefaultUrl };
        var backend = new Option<string?>("--backend") { Description = "Result backend URL (db+postgresql://... or db+sqlite:///...); default: the configuration's result_backend." };
        var broker = new Option<string?>("--broker") { Description = "Broker whose queue backlog to show; default: the configuration's broker_url." };
        var noBacklog = new Option<bool>("--no-backlog") { Description = "Do not ask the broker for queue backlogs." };
        var mask = new Option<bool>("--mask-args") { Description = $"Show task arguments as *** (also: {MaskVariable}=1)." };
        var verbose = new Option<bool>("--verbose") { Description = "Log at information level." };
        var command = new Command("dashboard", "Serve the read-only live dashboard of tasks, families and queues until Ctrl+C.")
        {
            urls,
            backend,
            broker,
            noBacklog,
            mask,
            verbose,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            string? Variable(string name) => environment is null ? Environment.GetEnvironmentVariable(name) : environment.GetValueOrDefault(name);

            var settings = new Dictionary<string, object?>();
            if (parseResult.GetValue(broker) is { Length: > 0 } brokerUrl)
            {
                settings["broker_url"] = brokerUrl;
            }

            if (!CliConfig.TryLoad(settings, environment, error, out var config)
                || !CliConfig.TryResultBackend(parseResult.GetValue(backend), config, error, out var backendUrl))
            {
                return ExitConfigurationError;
            }

            var addresses = parseResult.GetValue(urls)!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var token = Variable(TokenVariable);
            var user = Variable(UserVariable);
            var password = Variable(PasswordVariable);
            if (!string.IsNullOrEmpty(user) != !string.IsNullOrEmpty(password))
            {
                await error.WriteLineAsync($"Basic authentication needs both {UserVariable} and {PasswordVariable}.").ConfigureAwait(false);
                return ExitConfigurationError;
            }

            using var loggerFactory = CliLogging.Create(parseResult.GetValue(verbose) ? LogLevel.Information : LogLevel.Warning);
            ITransport? transport = null;
            try
            {
                // memory:// lives inside one process: a dashboard of its own could only show empty queues.
                if (!parseResult.GetValue(noBacklog) && !TransportFactory.BrokerUrl(config).StartsWith("memory:", StringComparison.OrdinalIgnoreCase))
                {
                    transport = TransportFactory.Create(config, loggerFactory: loggerFactory);
                }
            }
            catch (Exception e) when (e is ConfigurationException or FormatException or ArgumentException)
            {
                await error.WriteLineAsync(e.Message).ConfigureAwait(false);
                return ExitConfigurationError;
            }

            try
            {
                var options = new DashboardOptions
                {
                    ResultBackendUrl = backendUrl,
                    Urls = addresses,
                    QueueBacklog = transport as IQueueBacklog,
                    Queues = [.. config.CreateTopology().Queues.Select(queue => queue.Name)],
                    BearerToken = string.IsNullOrEmpty(token) ? null : token,
                    BasicAuthUser = string.IsNullOrEmpty(user) ? null : user,
                    BasicAuthPassword = string.IsNullOrEmpty(password) ? null : password,
                    MaskArguments = parseResult.GetValue(mask) || Variable(MaskVariable) is "1" or "true" or "True",
                };
                DashboardServer server;
                try
                {
                    server = await DashboardServer.StartAsync(options, loggerFactory, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is FormatException or ArgumentException)
                {
                    await error.WriteLineAsync(e.Message).ConfigureAwait(false);
                    return ExitConfigurationError;
                }
                catch (IOException e)
                {
                    await error.WriteLineAsync($"The dashboard cannot listen on {string.Join(", ", addresses)}: {e.Message}").ConfigureAwait(false);
                    return ExitCannotListen;
                }

                await using (server.ConfigureAwait(false))
                {
                    foreach (var address in server.Addresses)
                    {
                        await output.WriteLineAsync($"Dashboard: {address}").ConfigureAwait(false);
                    }

                    if (!options.RequiresAuthentication && server.Addresses.Any(address => !IsLoopback(address)))
                    {
                        await error.WriteLineAsync(
                            $"Warning: the dashboard listens beyond this machine without authentication; set {TokenVariable} (or {UserVariable} and {PasswordVariable}).").ConfigureAwait(false);
                    }

                    await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        // Ctrl+C or SIGTERM: stop serving.
                    }
                }
            }
            finally
            {
                if (transport is not null)
                {
                    await transport.DisposeAsync().ConfigureAwait(false);
                }
            }

            return 0;
        });
        return command;
    }

    private static bool IsLoopback(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri)
        && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));
}
