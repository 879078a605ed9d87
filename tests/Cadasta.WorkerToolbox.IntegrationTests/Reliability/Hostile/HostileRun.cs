using System.Globalization;
using System.Text;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.TestSupport.Interop;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Worker;
using Npgsql;
using Xunit.Abstractions;

namespace Cadasta.WorkerToolbox.IntegrationTests.Reliability.Hostile;

/// <summary>
/// One fuzz run against the real demo worker process: sends the generated messages straight to
/// the broker, waits until every one is accounted for, and checks how each ended. The message
/// count and seed come from CADASTA_FUZZ_MESSAGES and CADASTA_FUZZ_SEED (scripts/fuzz-soak sets them).
/// </summary>
internal static class HostileRun
{
    public const string RefusedLine = "Refused a message from queue";

    public static int MessageCount => int.TryParse(Environment.GetEnvironmentVariable("CADASTA_FUZZ_MESSAGES"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1000;

    public static int Seed => int.TryParse(Environment.GetEnvironmentVariable("CADASTA_FUZZ_SEED"), CultureInfo.InvariantCulture, out var n) ? n : 20261128;

    private static readonly string ConnectionString = ResultBackendUrl.Parse(RequiredService.PostgreSqlBackendUrl).ConnectionString;

    public static async Task<HostileRunReport> RunAsync(IHostileBroker broker, ITestOutputHelper output, int oversizeBytes, IReadOnlyDictionary<string, string>? extraEnvironment = null, Func<IReadOnlyList<HostileMessage>, Task>? whileRunning = null)
    {
        await RequiredService.PostgreSql.EnsureAsync();
        await broker.PrepareAsync();
        var runTag = Guid.NewGuid().ToString("N")[..10];
        var pickleMarker = Path.Combine(Path.GetTempPath(), $"cadasta-pickle-ran-{runTag}");
        var evilPickle = await EvilPickleAsync(pickleMarker);
        var messages = new HostileMessageGenerator(Seed, runTag, evilPickle, oversizeBytes, broker.Name == "SQS").Generate(MessageCount).ToList();

        await using (var results = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = RequiredService.PostgreSqlBackendUrl }))
        {
            await results.EnsureSchemaAsync();
        }

        var environment = new Dictionary<string, string>(broker.WorkerEnvironment)
        {
            ["CELERY_QUEUES"] = "('msg',)",
            ["CELERY_RESULT_BACKEND"] = RequiredService.PostgreSqlBackendUrl,
            ["CELERY_WORKER_CONCURRENCY"] = "2",
        };
        foreach (var (key, value) in extraEnvironment ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var ids = messages.Where(m => m.TaskId is not null && !m.Expected.IsDead).Select(m => m.TaskId!).ToArray();
        try
        {
            await using var worker = await DemoWorkerProcess.StartAsync(environment);
            var baselineKiB = worker.CurrentRssKiB;
            var sending = DateTime.UtcNow;
            foreach (var message in messages)
            {
                await broker.SendAsync(message);
            }

            var sent = DateTime.UtcNow - sending;
            var pending = whileRunning?.Invoke(messages) ?? Task.CompletedTask;
            var dead = messages.Count(m => m.Expected.IsDead);
            await WaitUntilAsync(async () => await FinishedRowsAsync(ids) == ids.Length && await broker.DepthAsync("msg") == 0 && await broker.DepthAsync("msg.dead") >= dead,
                TimeSpan.FromMinutes(Math.Max(5, messages.Count / 1000.0)), async () => $"{await FinishedRowsAsync(ids)} of {ids.Length} result rows, msg holds {await broker.DepthAsync("msg")}, msg.dead {await broker.DepthAsync("msg.dead")} of {dead}; worker said:\n{Tail(worker.Lines)}");
            await pending;

            // Nothing comes back: the queue stays empty and no message is refused twice.
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.False(worker.HasExited, "The worker exited:\n" + Tail(worker.Lines));
            Assert.Equal(0, await broker.DepthAsync("msg"));

            var deadLetters = await broker.DrainAsync("msg.dead");
            var report = new HostileRunReport(broker.Name, messages, deadLetters, await StatesAsync(ids), worker.Lines, baselineKiB, worker.PeakRssKiB, worker.Samples, sent);
            Assert.Equal(0, await worker.StopAsync());
            Assert.False(File.Exists(pickleMarker), "The pickle was deserialized: its payload created " + pickleMarker);
            output.WriteLine(report.Summary());
            return report;
        }
        finally
        {
            File.Delete(pickleMarker);
            await DeleteRowsAsync(ids);
        }
    }

    /// <summary>The pickle from tests/interop/evil_pickle.py; checks first, on a path of its own, that unpickling it really runs its payload.</summary>
    private static async Task<byte[]> EvilPickleAsync(string marker)
    {
        var proof = marker + "-proof";
        var (proved, proofOutput) = await PythonAsync(proof, "--prove");
        Assert.True(proved.Length == 0 && File.Exists(proof), "evil_pickle.py --prove did not create its file: " + proofOutput);
        File.Delete(proof);
        var (payload, output) = await PythonAsync(marker);
        Assert.True(payload.Length > 0, "evil_pickle.py wrote nothing: " + output);
        return payload;
    }

    private static async Task<(byte[] Stdout, string Stderr)> PythonAsync(params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepositoryPaths.Interop, "evil_pickle.py"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        using var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await copy;
        return (stdout.ToArray(), await errors);
    }

    private static async Task<long> FinishedRowsAsync(string[] ids)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM celery_taskmeta WHERE task_id = ANY(@ids) AND status IN ('SUCCESS', 'FAILURE', 'REVOKED')", connection);
        command.Parameters.AddWithValue("ids", ids);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<Dictionary<string, TaskResult>> StatesAsync(string[] ids)
    {
        await using var store = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = RequiredService.PostgreSqlBackendUrl });
        var states = new Dictionary<string, TaskResult>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (await store.ReadAsync(id) is { } result)
            {
                states[id] = result;
            }
        }

        return states;
    }

    private static async Task DeleteRowsAsync(string[] ids)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("DELETE FROM celery_taskmeta WHERE task_id = ANY(@ids)", connection);
        command.Parameters.AddWithValue("ids", ids);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> done, TimeSpan timeout, Func<Task<string>> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await done())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("Not every message was accounted for: " + await describe());
            }

            await Task.Delay(250);
        }
    }

    public static string Tail(IReadOnlyList<string> lines) => string.Join('\n', lines.TakeLast(30));
}

/// <summary>What a fuzz run produced, with the checks every run must pass.</summary>
internal sealed record HostileRunReport(
    string Broker,
    IReadOnlyList<HostileMessage> Messages,
    IReadOnlyList<TransportMessage> DeadLetters,
    IReadOnlyDictionary<string, TaskResult> Results,
    IReadOnlyList<string> WorkerLines,
    long BaselineRssKiB,
    long PeakRssKiB,
    long RssSamples,
    TimeSpan SendTime)
{
    private static readonly HashSet<string> RefusedByAdmission = new(StringComparer.Ordinal) { "InvalidTaskError", "ContentDisallowed", "NotRegistered" };

    public void AssertEveryMessageAccountedFor()
    {
        foreach (var message in Messages.Where(m => !m.Expected.IsDead))
        {
            Assert.True(Results.TryGetValue(message.TaskId!, out var result), $"case {message.Index} ({message.Kind}) has no result row");
            Assert.True(message.Expected.States.Contains(result.State), $"case {message.Index} ({message.Kind}) ended {result.State}, expected {string.Join('/', message.Expected.States)}");
            if (message.Expected.ExceptionType is { } type)
            {
                Assert.True(result.Error?.ExceptionType == type, $"case {message.Index} ({message.Kind}) failed with {result.Error?.ExceptionType}, expected {type}");
            }

            if (message.Kind == "good")
            {
                Assert.Equal((long)message.Index + 1, Convert.ToInt64(result.Value, CultureInfo.InvariantCulture));
            }
        }

        var expectedDead = Messages.Where(m => m.Expected.IsDead).Select(m => m.Index).Order().ToList();
        var foundDead = DeadLetters.Select(CaseOf).Order().ToList();
        Assert.Equal(expectedDead, foundDead);
        Assert.All(DeadLetters, d => Assert.False(string.IsNullOrEmpty(d.Headers.GetValueOrDefault(DeadLetterQueue.ReasonHeader) as string)));

        // Exactly one line per message the door refused: none lost, none refused twice (no redelivery loop).
        var refusedByAdmission = Messages.Count(m => m.Expected.IsDead || (m.Expected.States.SequenceEqual(["FAILURE"]) && RefusedByAdmission.Contains(m.Expected.ExceptionType ?? string.Empty)));
        Assert.Equal(refusedByAdmission, WorkerLines.Count(l => l.Contains(HostileRun.RefusedLine, StringComparison.Ordinal)));
        Assert.DoesNotContain(WorkerLines, l => l.Contains("published again", StringComparison.Ordinal));
    }

    public string Summary()
    {
        var byOutcome = Messages.GroupBy(m => m.Kind == "good" ? "good" : m.Expected.IsDead ? "dead-lettered" : "result row " + Results.GetValueOrDefault(m.TaskId!)?.State)
            .Select(g => $"{g.Key}: {g.Count()}");
        return $"{Broker}: {Messages.Count} messages sent in {SendTime.TotalSeconds:0.0} s ({Messages.Count(m => m.Kind != "good")} bad, {Messages.Count(m => m.Kind == "good")} good); " +
               string.Join(", ", byOutcome) + $"; dead-letter queue held {DeadLetters.Count}; refused log lines {WorkerLines.Count(l => l.Contains(HostileRun.RefusedLine, StringComparison.Ordinal))}; " +
               $"worker RSS {BaselineRssKiB / 1024} MiB at start, peak {PeakRssKiB / 1024} MiB ({RssSamples} samples); kinds: " +
               string.Join(", ", Messages.GroupBy(m => m.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"));
    }

    private static int CaseOf(TransportMessage dead)
    {
        if (dead.Headers.GetValueOrDefault(HostileMessage.CaseHeader) is string text)
        {
            return int.Parse(text, CultureInfo.InvariantCulture);
        }

        // A broken SQS envelope has no headers: its marker (or its unread header) is in the raw text, possibly base64.
        var raw = Encoding.UTF8.GetString(dead.Body.Span);
        var decoded = Cadasta.WorkerToolbox.Transports.Sqs.SqsEnvelope.OptionalBase64Decode(raw);
        foreach (var candidate in new[] { raw, decoded })
        {
            var match = System.Text.RegularExpressions.Regex.Match(candidate, "fuzz-case-(\\d+)|\"x-fuzz-case\": \"(\\d+)\"");
            if (match.Success)
            {
                return int.Parse(match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value, CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"A dead letter of no fuzz case: {raw[..Math.Min(raw.Length, 200)]}");
    }
}
