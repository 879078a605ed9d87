using System.Diagnostics;
using System.Text.Json;

namespace Cadasta.WorkerToolbox.IntegrationTests.Results;

/// <summary>Runs tests/interop/result_peer.py with Debian's /usr/bin/python3 (Celery 5.2.6, SQLAlchemy, psycopg2).</summary>
internal static class ResultPeer
{
    private const string Python = "/usr/bin/python3";

    public static string Script { get; } = Path.Combine(RepositoryRoot(), "tests", "interop", "result_peer.py");

    public static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        Assert.True(File.Exists(Python), $"{Python} (Debian's Python with Celery 5.2.6) is missing: run scripts/services/install.");
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Script);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>Python's AsyncResult(id).get() for each (task id, expected Python literal); fails the test on any mismatch.</summary>
    public static async Task<List<JsonElement>> CheckAsync(string url, params (string TaskId, string Literal)[] expectations)
    {
        var args = new List<string> { "check", url };
        foreach (var (taskId, literal) in expectations)
        {
            args.Add(taskId);
            args.Add(literal);
        }

        var (exit, output, error) = await RunAsync([.. args]);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.True(exit == 0, $"Python Celery read something else:\n{output}\n{error}");
        Assert.Equal(expectations.Length, lines.Count);
        return lines;
    }

    public static async Task WriteAsync(string url, string taskId, string kind, string literal, string? traceback = null)
    {
        string[] args = traceback is null ? ["write", url, taskId, kind, literal] : ["write", url, taskId, kind, literal, traceback];
        var (exit, output, error) = await RunAsync(args);
        Assert.True(exit == 0, $"Python Celery could not write {taskId}:\n{output}\n{error}");
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Cadasta.WorkerToolbox.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (Cadasta.WorkerToolbox.slnx) above " + AppContext.BaseDirectory);
    }
}
