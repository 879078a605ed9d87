using System.CommandLine;
using System.Globalization;
using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Producing;
using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.Cli.Commands;

/// <summary>
/// <c>cadasta-worker send NAME</c>: publishes one task as Celery's <c>send_task</c> would (routed by the
/// first segment of its name through the default exchange, so the platform queue gets its copy) and
/// prints the new task's id alone on stdout. Exit 2 for invalid input or configuration, 3 when the
/// broker refuses or cannot be reached.
/// </summary>
public static class SendCommand
{
    /// <summary>Builds the command.</summary>
    /// <param name="environment">The environment variables to read; null reads the process environment (tests pass their own).</param>
    public static Command Create(IReadOnlyDictionary<string, string>? environment = null)
    {
        var name = new Argument<string>("name") { Description = "The task name, for example export.project." };
        var args = new Option<string>("--args") { Description = "Positional arguments as a JSON array.", DefaultValueFactory = _ => "[]" };
        var kwargs = new Option<string>("--kwargs") { Description = "Keyword arguments as a JSON object.", DefaultValueFactory = _ => "{}" };
        var countdown = new Option<double?>("--countdown") { Description = "Run no sooner than this many seconds from now." };
        var eta = new Option<string?>("--eta") { Description = "Run no sooner than this ISO 8601 time (with an offset)." };
        var expires = new Option<string?>("--expires") { Description = "Seconds from now, or an ISO 8601 time, after which the task is revoked." };
        var taskId = new Option<string?>("--task-id") { Description = "The task id (default: a new UUID)." };
        var options = new Option<string[]>("--option")
        {
            Description = "A custom option KEY=JSON, carried as a message property (creator_id, is_result...). Repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("send", "Send a task and print its id.") { name, args, kwargs, countdown, eta, expires, taskId, options };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            Config config;
            IReadOnlyList<object?> positional;
            IReadOnlyDictionary<string, object?> keywords;
            TaskOptions taskOptions;
            try
            {
                config = new Config(environment: environment);
                positional = ParseJson(parseResult.GetValue(args)!, "--args") as IReadOnlyList<object?>
                    ?? throw new FormatException("--args must be a JSON array, for example [1, 2].");
                keywords = ParseJson(parseResult.GetValue(kwargs)!, "--kwargs") as IReadOnlyDictionary<string, object?>
                    ?? throw new FormatException("--kwargs must be a JSON object, for example {\"org_slug\": \"x\"}.");
                taskOptions = new TaskOptions
                {
                    TaskId = parseResult.GetValue(taskId),
                    Countdown = parseResult.GetValue(countdown) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                    Eta = parseResult.GetValue(eta) is { } at ? ParseTime(at, "--eta") : null,
                    ExpiresAfter = ParseExpiresAfter(parseResult.GetValue(expires)),
                    ExpiresAt = ParseExpiresAt(parseResult.GetValue(expires)),
                    Properties = ParseProperties(parseResult.GetValue(options) ?? []),
                };
            }
            catch (Exception e) when (e is ConfigurationException or FormatException)
            {
                await error.WriteLineAsync($"Invalid input: {e.Message}").ConfigureAwait(false);
                return ConfigCommand.InvalidConfigurationExitCode;
            }

            using var logging = CliLogging.Create();
            try
            {
                var transport = TransportFactory.Create(config, loggerFactory: logging);
                await using (transport.ConfigureAwait(false))
                {
                    var producer = new TaskProducer(config, transport);
                    var id = await producer.SendTaskAsync(parseResult.GetValue(name)!, positional, keywords, taskOptions, cancellationToken).ConfigureAwait(false);
                    await parseResult.InvocationConfiguration.Output.WriteLineAsync(id).ConfigureAwait(false);
                    return 0;
                }
            }
            catch (Exception e) when (e is ConfigurationException or TaskEncodingException or ArgumentException)
            {
                await error.WriteLineAsync($"Invalid input: {e.Message}").ConfigureAwait(false);
                return ConfigCommand.InvalidConfigurationExitCode;
            }
#pragma warning disable CA1031 // any broker failure is reported on stderr as the command's outcome
            catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
            {
                await error.WriteLineAsync($"Send failed on {SecretMasker.MaskUrlPasswords(TransportFactory.BrokerUrl(config))}: {e.Message}").ConfigureAwait(false);
                return SetupCommand.BrokerErrorExitCode;
            }
        });
        return command;
    }

    private static object? ParseJson(string text, string option)
    {
        try
        {
            return CeleryJson.Parse(text);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{option} is not valid JSON: {e.Message}", e);
        }
    }

    private static DateTimeOffset ParseTime(string text, string option) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new FormatException($"{option} '{text}' is not an ISO 8601 time, for example 2026-11-28T12:00:00+00:00.");

    private static TimeSpan? ParseExpiresAfter(string? text) =>
        text is not null && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;

    private static DateTimeOffset? ParseExpiresAt(string? text) =>
        text is null || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            ? null
            : ParseTime(text, "--expires");

    private static Dictionary<string, object?>? ParseProperties(string[] pairs)
    {
        if (pairs.Length == 0)
        {
            return null;
        }

        var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"--option '{pair}' must be KEY=JSON, for example creator_id=\"user123\" or is_result=true.");
            }

            properties[pair[..equals]] = ParseJson(pair[(equals + 1)..], $"--option {pair[..equals]}");
        }

        return properties;
    }
}
