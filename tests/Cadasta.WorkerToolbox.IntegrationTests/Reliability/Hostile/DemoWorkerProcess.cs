using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Cadasta.WorkerToolbox.TestSupport.Interop;

namespace Cadasta.WorkerToolbox.IntegrationTests.Reliability.Hostile;

/// <summary>
/// The real samples/DemoWorker as a separate process, configured by environment variables: its
/// output lines are collected, its resident memory sampled, and it is stopped with SIGTERM.
/// </summary>
internal sealed class DemoWorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly CancellationTokenSource _stopSampling = new();
    private readonly Task _sampling;
    private long _peakRssKiB;
    private long _samples;

    private DemoWorkerProcess(Process process)
    {
        _process = process;
        _sampling = Task.Run(SampleAsync);
    }

    public IReadOnlyList<string> Lines => [.. _lines];

    public bool HasExited => _process.HasExited;

    public int ProcessId => _process.Id;

    public long PeakRssKiB => Interlocked.Read(ref _peakRssKiB);

    public long Samples => Interlocked.Read(ref _samples);

    public long CurrentRssKiB => ReadRssKiB() ?? 0;

    /// <summary>The demo worker's assembly, built with the tests' configuration.</summary>
    public static string AssemblyPath
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
            var path = Path.Combine(RepositoryPaths.Root, "samples", "DemoWorker", "bin", configuration, "net10.0", "DemoWorker.dll");
            return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: build the solution (`dotnet build -c {configuration}`).");
        }
    }

    public static async Task<DemoWorkerProcess> StartAsync(IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(AssemblyPath);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("CELERY_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started.");
        var worker = new DemoWorkerProcess(process);
        process.OutputDataReceived += (_, e) => worker.Add(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!worker.Lines.Any(l => l.Contains(" consuming ", StringComparison.Ordinal)))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("The demo worker did not start consuming:\n" + string.Join('\n', worker.Lines));
            }

            await Task.Delay(100);
        }

        return worker;
    }

    /// <summary>Sends SIGTERM and waits for a graceful exit; returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill!.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _process.WaitForExitAsync(timeout.Token);
        }

        await _stopSampling.CancelAsync();
        await _sampling;
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        await _stopSampling.CancelAsync();
        await _sampling;
        _stopSampling.Dispose();
        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }

    private async Task SampleAsync()
    {
        while (!_stopSampling.IsCancellationRequested)
        {
            if (ReadRssKiB() is { } rss)
            {
                Interlocked.Increment(ref _samples);
                if (rss > Interlocked.Read(ref _peakRssKiB))
                {
                    Interlocked.Exchange(ref _peakRssKiB, rss);
                }
            }

            try
            {
                await Task.Delay(100, _stopSampling.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private long? ReadRssKiB()
    {
        try
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null; // the process has exited
        }
    }
}
