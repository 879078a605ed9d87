using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Monitoring;
using Cadasta.WorkerToolbox.Producing;
using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Memory;
using Cadasta.WorkerToolbox.Worker;
using Cadasta.WorkerToolbox.Worker.Demo;
using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Cli.Commands;

/// <summary>
/// <c>cadasta-worker demo</c>: the whole Cadasta task system in one process on the embedded
/// defaults — the in-memory broker and a SQLite result database — with a worker running the demo
/// tasks and the platform's task monitor. It sends a handful of tasks (an <c>export.project</c>
/// chord and one that fails among them), shows their progress, then prints the export's task
/// family as the platform sees it. Exit 0 when every task ended as expected.
/// </summary>
public static class DemoCommand
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var database = new Option<string?>("--database") { Description = "The SQLite file for results and task records (default: a new file in the temp folder, deleted afterwards)." };
        var timeout = new Option<double>("--timeout") { Description = "Give up after this many seconds.", DefaultValueFactory = _ => 60 };
        var command = new Command("demo", "Run the demo: broker, worker and task monitor in this process, no services needed.") { database, timeout };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var path = parseResult.GetValue(database);
            var keep = path is not null;
            path ??= Path.Combine(Path.GetTempPath(), $"cadasta-demo-{Guid.NewGuid():N}.db");
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(TimeSpan.FromSeconds(parseResult.GetValue(timeout)));
            try
            {
                return await RunAsync(path, parseResult.InvocationConfiguration.Output, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync("The demo did not finish in time.").ConfigureAwait(false);
                return 1;
            }
            finally
            {
                if (!keep)
                {
                    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                    File.Delete(path);
                }
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(string databasePath, TextWriter output, CancellationToken cancellationToken)
    {
        // Code settings win over the environment: the demo always runs on the embedded defaults.
        var config = new Config(new Dictionary<string, object?>
        {
            ["broker_url"] = "memory://",
            ["result_backend"] = "db+sqlite:///" + databasePath,
        });
        // The demo reports every outcome itself, the planned failure included; only a crash is logged.
        using var logging = CliLogging.Create(LogLevel.Critical);
        var broker = new MemoryBroker(logging.CreateLogger<MemoryBroker>());
        await output.WriteLineAsync($"Broker memory://, results and task records in {databasePath}").ConfigureAwait(false);

        var results = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = config.ResultBackend! }, logging.CreateLogger<DatabaseResultStore>());
        await using var resultsScope = results.ConfigureAwait(false);
        await results.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var records = TaskRecordStore.Create(config.ResultBackend!);
        await using var recordsScope = records.ConfigureAwait(false);
        await records.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);

        var monitorTransport = TransportFactory.Create(config, broker, logging);
        await using var monitorTransportScope = monitorTransport.ConfigureAwait(false);
        var monitor = new TaskMonitor(
            monitorTransport,
            records,
            new TaskMonitorOptions { Queue = config.PlatformQueueName, Topology = config.CreateTopology() },
            logging.CreateLogger<TaskMonitor>());
        using var stopMonitor = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var monitoring = monitor.RunAsync(stopMonitor.Token);

        var workerTransport = TransportFactory.Create(config, broker, logging);
        await using var workerTransportScope = workerTransport.ConfigureAwait(false);
        var producer = new TaskProducer(config, workerTransport, logger: logging.CreateLogger<TaskProducer>());
        var worker = new TaskWorker(
            DemoTasks.Register(new TaskRegistry()),
            workerTransport,
            results,
            producer,
            WorkerOptions.FromConfig(config),
            logger: logging.CreateLogger<TaskWorker>());
        await using var workerScope = worker.ConfigureAwait(false);
        await worker.StartAsync(cancellationToken).ConfigureAwait(false);

        var sent = new List<(string Label, string Id, string ExpectedState)>
        {
            ("msg.add(2, 3)", await producer.SendTaskAsync("msg.add", [2L, 3L], cancellationToken: cancellationToken).ConfigureAwait(false), TaskStates.Success),
            ("msg.echo('héllo', org_slug='cadasta')", await producer.SendTaskAsync("msg.echo", ["héllo"], new Dictionary<string, object?> { ["org_slug"] = "cadasta" }, cancellationToken: cancellationToken).ConfigureAwait(false), TaskStates.Success),
            ("msg.retry(2)", await producer.SendTaskAsync("msg.retry", [2L], cancellationToken: cancellationToken).ConfigureAwait(false), TaskStates.Success),
            ("msg.fail('the demo asked for it')", await producer.SendTaskAsync("msg.fail", ["the demo asked for it"], cancellationToken: cancellationToken).ConfigureAwait(false), TaskStates.Failure),
            ("export.project('cadasta', 'demo', 'key', 'all')", await producer.SendTaskAsync(
                "export.project",
                kwargs: new Dictionary<string, object?> { ["org_slug"] = "cadasta", ["project_slug"] = "demo", ["api_key"] = "key", ["output_type"] = "all" },
                options: new TaskOptions { Properties = new Dictionary<string, object?> { ["creator_id"] = "demo-user" } },
                cancellationToken: cancellationToken).ConfigureAwait(false), TaskStates.Success),
        };

        await output.WriteLineAsync($"Sent {sent.Count} tasks; waiting for them:").ConfigureAwait(false);
        var allAsExpected = true;
        foreach (var (label, id, expected) in sent)
        {
            var result = await new AsyncResult(id, results).WaitAsync(Timeout.InfiniteTimeSpan, TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
            var shown = result.Error is { } error ? $"{error.ExceptionType}: {error.Message}" : JsonSerializer.Serialize(result.Value, Json);
            var mark = result.State == expected ? "ok" : $"UNEXPECTED (wanted {expected})";
            allAsExpected &= result.State == expected;
            await output.WriteLineAsync($"  {result.State,-8} {label} -> {shown}   [{mark}]").ConfigureAwait(false);
        }

        // export.project returns once it started its chord; the family is done when its is_result task is.
        var exportId = sent[^1].Id;
        var queries = new TaskRecordQueries(records, results);
        var family = await queries.GetFamilyAsync(exportId, cancellationToken).ConfigureAwait(false);
        while (family.OverallStatus is not (TaskStates.Success or TaskStates.Failure) || family.OverallResults.Count == 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
            family = await queries.GetFamilyAsync(exportId, cancellationToken).ConfigureAwait(false);
        }

        await output.WriteLineAsync($"The export's task family (root {exportId}), as the platform's monitor recorded it:").ConfigureAwait(false);
        foreach (var task in family.Tasks)
        {
            var note = task.Record.IsResult ? "  (is_result)" : string.Empty;
            await output.WriteLineAsync($"  {task.Status,-8} {task.Record.TaskName}{note}").ConfigureAwait(false);
        }

        await output.WriteLineAsync($"Overall status: {family.OverallStatus}").ConfigureAwait(false);
        await output.WriteLineAsync($"Overall results: {JsonSerializer.Serialize(family.OverallResults, Json)}").ConfigureAwait(false);
        allAsExpected &= family.OverallStatus == TaskStates.Success;

        await worker.StopAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await stopMonitor.CancelAsync().ConfigureAwait(false);
        await monitoring.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var statistics = monitor.Statistics;
        await output.WriteLineAsync($"The monitor recorded {statistics.Recorded} task messages ({statistics.AlreadyRecorded} repeats ignored).").ConfigureAwait(false);
        return allAsExpected ? 0 : 1;
    }
}
