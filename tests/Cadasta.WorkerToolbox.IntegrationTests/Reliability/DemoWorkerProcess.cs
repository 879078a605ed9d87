using System.Diagnostics;
using System.Text;
using Cadasta.WorkerToolbox.TestSupport.Interop;

namespace Cadasta.WorkerToolbox.IntegrationTests.Reliability;

/// <summary>
/// samples/DemoWorker run as a real process (<c>dotnet DemoWorker.dll</c>), configured only by
/// CELERY_* environment variables, as an operator runs it. SIGKILL and SIGTERM are the real signals.
/// Its output goes to a log file, kept for the failure messages.
/// </summary>
internal sealed class DemoWorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly object _logGate = new();

    private DemoWorkerProcess(Process process, StreamWriter log, string logPath)
    {
        _process = process;
        _log = log;
        LogPath = logPath;
    }

    /// <summary>Where its standard output and error go.</summary>
    public string LogPath { get; }

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>Whether it has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Its exit code (once exited).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>The demo worker's dll, built in the configuration of these tests.</summary>
    public static string DllPath
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
            var path = Path.Combine(RepositoryPaths.Root, "samples", "DemoWorker", "bin", configuration, "net10.0", "DemoWorker.dll");
            return File.Exists(path)
                ? path
                : throw new InvalidOperationException($"{path} is missing: build the solution (dotnet build Cadasta.WorkerToolbox.slnx -c {configuration}).");
        }
    }

    /// <summary>Starts the worker with exactly these CELERY_* variables (none inherited from the test process).</summary>
    /// <param name="environment">The worker's configuration.</param>
    /// <param name="logPath">Where its output goes (appended).</param>
    public static DemoWorkerProcess Start(IReadOnlyDictionary<string, string> environment, string logPath)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(DllPath);
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("CELERY_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        info.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        var log = new StreamWriter(logPath, append: true, Encoding.UTF8) { AutoFlush = true };
        var process = new Process { StartInfo = info };
        var worker = new DemoWorkerProcess(process, log, logPath);
        process.OutputDataReceived += (_, e) => worker.Write(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Write(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        worker.Write($"---- started pid {process.Id}");
        return worker;
    }

    /// <summary>SIGKILL: no shutdown at all.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
        Write($"---- killed (SIGKILL) pid {_process.Id}");
    }

    /// <summary>Sends SIGTERM (a graceful stop request).</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", $"{_process.Id}"]) { UseShellExecute = false })!;
        await kill.WaitForExitAsync();
        Write($"---- SIGTERM sent to pid {_process.Id}");
    }

    /// <summary>Waits for the process to exit; fails after <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait.</param>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The demo worker (pid {_process.Id}) did not exit within {timeout.TotalSeconds} s; see {LogPath}.");
        }

        return _process.ExitCode;
    }

    /// <summary>The last lines of the log (for failure messages).</summary>
    public string Tail(int lines = 30)
    {
        lock (_logGate)
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return string.Join('\n', reader.ReadToEnd().Split('\n').TakeLast(lines));
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
        lock (_logGate)
        {
            _log.Dispose();
        }
    }

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logGate)
        {
            _log.WriteLine(line);
        }
    }
}
