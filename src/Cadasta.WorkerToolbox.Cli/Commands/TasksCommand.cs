using System.CommandLine;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Monitoring;
using Cadasta.WorkerToolbox.Results;

namespace Cadasta.WorkerToolbox.Cli.Commands;

/// <summary>
/// <c>cadasta-worker tasks [--root ID] [--json] [--limit N] [--backend URL]</c>: the tasks the monitor recorded,
/// with their states from Celery's result table; with <c>--root</c> one family with its overall status and
/// results. Exit code 0; 1 when <c>--root</c> names no recorded task; 3 when the database cannot be read.
/// </summary>
public static class TasksCommand
{
    /// <summary>Exit code when <c>--root</c> names no recorded task.</summary>
    public const int ExitNotFound = 1;

    /// <summary>Exit code when the configuration is invalid or the result database cannot be read.</summary>
    public const int ExitDatabaseError = 3;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonSerializerOptions CompactJsonOptions = new(JsonOptions) { WriteIndented = false };

    /// <summary>Builds the command.</summary>
    /// <param name="environment">The environment variables to read; null reads the process environment (tests pass their own).</param>
    public static Command Create(IReadOnlyDictionary<string, string>? environment = null)
    {
        var root = new Option<string?>("--root") { Description = "Show the family of this root task id, with its overall status and results." };
        var json = new Option<bool>("--json") { Description = "Print JSON records (with status and result) instead of a table." };
        var limit = new Option<int>("--limit") { Description = "How many of the most recent tasks to show.", DefaultValueFactory = _ => 20 };
        var backend = new Option<string?>("--backend") { Description = "Result backend URL; default: the configuration's result_backend." };
        var command = new Command("tasks", "List the tasks the monitor recorded, with their states and results.")
        {
            root,
            json,
            limit,
            backend,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            if (!CliConfig.TryLoad(environment, error, out var config)
                || !CliConfig.TryResultBackend(parseResult.GetValue(backend), config, error, out var url))
            {
                return ExitDatabaseError;
            }

            var count = parseResult.GetValue(limit);
            if (count <= 0)
            {
                await error.WriteLineAsync("--limit must be 1 or more.").ConfigureAwait(false);
                return ExitDatabaseError;
            }

            try
            {
                var store = TaskRecordStore.Create(url);
                await using (store.ConfigureAwait(false))
                {
                    var results = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = url });
                    await using (results.ConfigureAwait(false))
                    {
                        await store.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
                        var queries = new TaskRecordQueries(store, results);
                        var asJson = parseResult.GetValue(json);
                        if (parseResult.GetValue(root) is { } rootId)
                        {
                            var family = await queries.GetFamilyAsync(rootId, cancellationToken).ConfigureAwait(false);
                            if (family.Tasks.Count == 0)
                            {
                                await error.WriteLineAsync($"No recorded task has the root id {rootId}.").ConfigureAwait(false);
                                return ExitNotFound;
                            }

                            await output.WriteLineAsync(asJson
                                ? await FamilyJsonAsync(family, queries, cancellationToken).ConfigureAwait(false)
                                : FamilyText(family)).ConfigureAwait(false);
                        }
                        else
                        {
                            var tasks = await queries.ListRecentAsync(count, cancellationToken).ConfigureAwait(false);
                            await output.WriteLineAsync(asJson
                                ? await TasksJsonAsync(tasks, queries, cancellationToken).ConfigureAwait(false)
                                : tasks.Count == 0 ? "No tasks recorded." : Table(tasks)).ConfigureAwait(false);
                        }
                    }
                }
            }
            catch (Exception e) when (e is DbException or ResultStoreException or FormatException or ArgumentException or InvalidOperationException)
            {
                await error.WriteLineAsync("Cannot read the result database: " + e.Message).ConfigureAwait(false);
                return ExitDatabaseError;
            }

            return 0;
        });
        return command;
    }

    /// <summary>The readable table: id, name, status, parent, created (UTC).</summary>
    /// <param name="tasks">The tasks, in the order to show.</param>
    public static string Table(IReadOnlyList<TrackedTask> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        string[] header = ["id", "name", "status", "parent", "created"];
        var rows = tasks.Select(task => new[]
        {
            task.Record.TaskId,
            task.Record.TaskName,
            task.Status,
            task.Record.ParentId ?? "-",
            task.Record.Created.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        }).ToList();
        var widths = header.Select((title, column) => rows.Select(row => row[column].Length).Append(title.Length).Max()).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows.Prepend(header))
        {
            text.AppendJoin("  ", row.Select((cell, column) => column == row.Length - 1 ? cell : cell.PadRight(widths[column]))).Append('\n');
        }

        return text.ToString().TrimEnd('\n');
    }

    private static string FamilyText(TaskFamily family) =>
        $"root: {family.RootId}\noverall status: {family.OverallStatus}\noverall results: {JsonSerializer.Serialize(family.OverallResults, CompactJsonOptions)}\n{Table(family.Tasks)}";

    private static async Task<string> FamilyJsonAsync(TaskFamily family, TaskRecordQueries queries, CancellationToken cancellationToken)
    {
        var document = new Dictionary<string, object?>
        {
            ["root_id"] = family.RootId,
            ["overall_status"] = family.OverallStatus,
            ["overall_results"] = family.OverallResults,
            ["tasks"] = await RecordsAsync(family.Tasks, queries, cancellationToken).ConfigureAwait(false),
        };
        return JsonSerializer.Serialize(document, JsonOptions);
    }

    private static async Task<string> TasksJsonAsync(IReadOnlyList<TrackedTask> tasks, TaskRecordQueries queries, CancellationToken cancellationToken) =>
        JsonSerializer.Serialize(await RecordsAsync(tasks, queries, cancellationToken).ConfigureAwait(false), JsonOptions);

    private static async Task<List<Dictionary<string, object?>>> RecordsAsync(
        IReadOnlyList<TrackedTask> tasks, TaskRecordQueries queries, CancellationToken cancellationToken)
    {
        var records = new List<Dictionary<string, object?>>(tasks.Count);
        foreach (var task in tasks)
        {
            var record = task.Record;
            records.Add(new Dictionary<string, object?>
            {
                ["task_id"] = record.TaskId,
                ["name"] = record.TaskName,
                ["status"] = task.Status,
                ["parent_id"] = record.ParentId,
                ["root_id"] = record.RootId,
                ["created"] = record.Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture),
                ["args"] = record.Args,
                ["kwargs"] = record.Kwargs,
                ["options"] = record.Options,
                ["creator_id"] = record.CreatorId,
                ["related_content_type_id"] = record.RelatedContentTypeId,
                ["related_object_id"] = record.RelatedObjectId,
                ["result"] = task.Status == TaskStates.Pending ? null : await queries.GetResultAsync(record.TaskId, cancellationToken).ConfigureAwait(false),
            });
        }

        return records;
    }
}
