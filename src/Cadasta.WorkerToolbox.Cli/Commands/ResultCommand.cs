using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Cadasta.WorkerToolbox.Results;

namespace Cadasta.WorkerToolbox.Cli.Commands;

/// <summary>
/// <c>cadasta-worker result TASK_ID [--wait SECONDS] [--json] [--backend URL]</c>: prints a task's state and result
/// from Celery's result table. Exit code 0 on SUCCESS, 1 on FAILURE or REVOKED, 2 when the task is still not done
/// after the wait, 3 when the result backend cannot be read.
/// </summary>
public static class ResultCommand
{
    // Escape only what JSON requires: '+' in "+00:00" and non-ASCII text stay readable.
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Exit code for a task that succeeded.</summary>
    public const int ExitSuccess = 0;

    /// <summary>Exit code for a task that failed or was revoked.</summary>
    public const int ExitFailure = 1;

    /// <summary>Exit code for a task that is not done (PENDING, STARTED, RETRY) after the wait.</summary>
    public const int ExitNotReady = 2;

    /// <summary>Exit code when the result backend is not configured or cannot be read.</summary>
    public const int ExitBackendError = 3;

    /// <summary>Builds the <c>result</c> command; <paramref name="environment"/> replaces the process environment (tests).</summary>
    public static Command Create(IReadOnlyDictionary<string, string>? environment = null)
    {
        var taskId = new Argument<string>("task-id") { Description = "The id of the task." };
        var wait = new Option<double>("--wait")
        {
            Description = "Seconds to wait for the task to finish (polls every 0.5 s); 0 reads once.",
            DefaultValueFactory = _ => 0,
        };
        var json = new Option<bool>("--json") { Description = "Print {task_id, status, result, traceback, date_done} as JSON." };
        var backend = new Option<string?>("--backend")
        {
            Description = "Result backend URL (db+postgresql://... or db+sqlite:///...); default: $CELERY_RESULT_BACKEND.",
        };

        var command = new Command("result", "Show the state and result of a task from the result backend.");
        command.Arguments.Add(taskId);
        command.Options.Add(wait);
        command.Options.Add(json);
        command.Options.Add(backend);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            // --backend wins; otherwise the configuration's result_backend (CELERY_RESULT_BACKEND, or the
            // toolbox's template rendered from RESULT_DB_*), exactly as a worker started here would use.
            var url = parseResult.GetValue(backend);
            if (string.IsNullOrWhiteSpace(url)
                && (!CliConfig.TryLoad(environment, error, out var config) || !CliConfig.TryResultBackend(null, config, error, out url)))
            {
                return ExitBackendError;
            }

            var seconds = parseResult.GetValue(wait);
            if (seconds < 0 || double.IsNaN(seconds) || double.IsInfinity(seconds))
            {
                await error.WriteLineAsync("--wait must be a number of seconds, 0 or more.").ConfigureAwait(false);
                return ExitBackendError;
            }

            TaskResult result;
            try
            {
                var store = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = url });
                await using (store.ConfigureAwait(false))
                {
                    var asyncResult = new AsyncResult(parseResult.GetValue(taskId)!, store);
                    result = await asyncResult.WaitAsync(TimeSpan.FromSeconds(seconds), cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception exception) when (exception is ResultStoreException or FormatException or ArgumentException or System.Data.Common.DbException)
            {
                await error.WriteLineAsync("Cannot read the result backend: " + exception.Message).ConfigureAwait(false);
                return ExitBackendError;
            }

            await output.WriteLineAsync(parseResult.GetValue(json) ? ToJson(result) : ToText(result)).ConfigureAwait(false);
            return result.State switch
            {
                TaskStates.Success => ExitSuccess,
                TaskStates.Failure or TaskStates.Revoked => ExitFailure,
                _ => ExitNotReady,
            };
        });
        return command;
    }

    /// <summary>The JSON form: <c>{task_id, status, result, traceback, date_done}</c>; failures show Celery's exception dict.</summary>
    /// <param name="result">The row read.</param>
    public static string ToJson(TaskResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, JsonOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("task_id", result.TaskId);
            writer.WriteString("status", result.State);
            writer.WritePropertyName("result");
            JsonLikeJson.Write(writer, ResultValue(result));
            writer.WritePropertyName("traceback");
            JsonLikeJson.Write(writer, result.Traceback);
            writer.WritePropertyName("date_done");
            JsonLikeJson.Write(writer, result.DateDone?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string ToText(TaskResult result)
    {
        var text = new StringBuilder();
        text.Append("task_id: ").AppendLine(result.TaskId);
        text.Append("status: ").AppendLine(result.State);
        if (result.Error is { } failure)
        {
            text.Append("error: ").Append(failure.ExceptionModule).Append('.').Append(failure.ExceptionType).Append(": ").AppendLine(failure.Message);
        }
        else
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream, JsonOptions))
            {
                JsonLikeJson.Write(writer, result.Value);
            }

            text.Append("result: ").AppendLine(Encoding.UTF8.GetString(stream.ToArray()));
        }

        if (result.DateDone is { } done)
        {
            text.Append("date_done: ").AppendLine(done.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff 'UTC'", CultureInfo.InvariantCulture));
        }

        if (result.Traceback is { } traceback)
        {
            text.AppendLine("traceback:").Append(traceback.TrimEnd());
        }

        return text.ToString().TrimEnd();
    }

    private static object? ResultValue(TaskResult result) => result.Error is { } failure
        ? new Dictionary<string, object?>
        {
            ["exc_type"] = failure.ExceptionType,
            ["exc_message"] = failure.Arguments,
            ["exc_module"] = failure.ExceptionModule,
        }
        : result.Value;
}
