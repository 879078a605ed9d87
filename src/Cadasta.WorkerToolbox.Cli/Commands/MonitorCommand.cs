using System.CommandLine;
using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Monitoring;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Memory;
using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Cli.Commands;

/// <summary>
/// <c>cadasta-worker monitor</c>: runs the task monitor (the platform's <c>sync_tasks</c>) until Ctrl+C or SIGTERM:
/// consumes the platform queue and records every task in the result database. Each recorded task is logged at
/// debug level (<c>--verbose</c>), the counts periodically at information level.
/// </summary>
public static class MonitorCommand
{
    /// <summary>Exit code when the monitor stopped by itself (the broker refused the queue, or its connection closed for good).</summary>
    public const int ExitStopped = 1;

    /// <summary>Exit code when the configuration, broker URL or result backend URL cannot be used.</summary>
    public const int ExitConfigurationError = 2;

    /// <summary>Builds the command.</summary>
    /// <param name="environment">The environment variables to read; null reads the process environment (tests pass their own).</param>
    public static Command Create(IReadOnlyDictionary<string, string>? environment = null)
    {
        var broker = new Option<string?>("--broker") { Description = "Broker URL (amqp://, sqs://, memory://); default: the configuration's broker_url." };
        var backend = new Option<string?>("--backend") { Description = "Result backend URL (db+postgresql://... or db+sqlite:///...); default: the configuration's result_backend." };
        var queue = new Option<string?>("--queue") { Description = "The platform queue; default: PLATFORM_QUEUE_NAME (platform.fifo)." };
        var batchSize = new Option<int>("--batch-size") { Description = "Most records written per database round trip.", DefaultValueFactory = _ => 100 };
        var reportInterval = new Option<double>("--report-interval") { Description = "Seconds between the periodic count lines (0: none).", DefaultValueFactory = _ => 60 };
        var verbose = new Option<bool>("--verbose") { Description = "Log each recorded task (debug level)." };
        var command = new Command("monitor", "Record every scheduled task from the platform queue in the result database, until Ctrl+C.")
        {
            broker,
            backend,
            queue,
            batchSize,
            reportInterval,
            verbose,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;

            // --broker and --queue are settings given in code: they win over the environment, as in Config,
            // and the declared topology then binds that queue.
            var settings = new Dictionary<string, object?>();
            if (parseResult.GetValue(broker) is { Length: > 0 } brokerUrl)
            {
                settings["broker_url"] = brokerUrl;
            }

            if (parseResult.GetValue(queue) is { Length: > 0 } queueName)
            {
                settings["PLATFORM_QUEUE_NAME"] = queueName;
            }

            if (!CliConfig.TryLoad(settings, environment, error, out var config)
                || !CliConfig.TryResultBackend(parseResult.GetValue(backend), config, error, out var backendUrl))
            {
                return ExitConfigurationError;
            }

            var seconds = parseResult.GetValue(reportInterval);
            var size = parseResult.GetValue(batchSize);
            if (size <= 0 || !(seconds >= 0) || double.IsInfinity(seconds))
            {
                await error.WriteLineAsync("--batch-size must be 1 or more and --report-interval 0 or more seconds.").ConfigureAwait(false);
                return ExitConfigurationError;
            }

            var options = new TaskMonitorOptions
            {
                Queue = config.PlatformQueueName,
                Topology = config.CreateTopology(),
                BatchSize = size,
                PrefetchCount = Math.Max(2 * size, 10),
                ReportInterval = TimeSpan.FromSeconds(seconds),
            };
            using var loggerFactory = CliLogging.Create(parseResult.GetValue(verbose) ? LogLevel.Debug : LogLevel.Information);

            ITransport transport;
            ITaskRecordStore store;
            try
            {
                // A memory:// broker of its own is only useful to try the command: nothing else can publish to it.
                transport = TransportFactory.Create(config, new MemoryBroker(loggerFactory.CreateLogger<MemoryBroker>()), loggerFactory, TimeProvider.System);
                store = TaskRecordStore.Create(backendUrl);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or ConfigurationException)
            {
                await error.WriteLineAsync(e.Message).ConfigureAwait(false);
                return ExitConfigurationError;
            }

            await using (transport.ConfigureAwait(false))
            await using (store.ConfigureAwait(false))
            {
                var monitor = new TaskMonitor(transport, store, options, loggerFactory.CreateLogger<TaskMonitor>(), TimeProvider.System);
                try
                {
                    await monitor.RunAsync(cancellationToken).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // The command's last line of defence: say what stopped the monitor, exit non-zero.
                catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
                {
                    await error.WriteLineAsync($"The task monitor stopped: {e.Message}").ConfigureAwait(false);
                    return ExitStopped;
                }
            }

            return 0;
        });
        return command;
    }
}
