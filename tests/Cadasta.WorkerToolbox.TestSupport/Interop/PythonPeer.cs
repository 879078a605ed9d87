using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Cadasta.WorkerToolbox.TestSupport.Interop;

/// <summary>
/// Runs the Python side of the interoperability tests, <c>tests/interop/peer.py</c>, with Debian's
/// <c>/usr/bin/python3</c> (Celery 5.2 and kombu 5.2): one-shot commands that print JSON, and Celery
/// workers that run until disposed.
/// </summary>
public sealed class PythonPeer(IReadOnlyDictionary<string, string> environment)
{
    /// <summary>The interpreter that has Debian's python3-celery; the python3 on PATH does not.</summary>
    public const string Interpreter = "/usr/bin/python3";

    /// <summary>The environment every peer process gets (broker, result backend, queues...).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; } = environment;

    /// <summary>Runs <c>peer.py</c> with <paramref name="arguments"/> and parses the JSON it prints.</summary>
    public async Task<JsonNode?> RunAsync(params string[] arguments)
    {
        var (exitCode, stdout, stderr) = await RunScriptAsync("peer.py", arguments, TimeSpan.FromSeconds(120));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"peer.py {string.Join(' ', arguments)} exited {exitCode}:\n{stderr}\n{stdout}");
        }

        return JsonNode.Parse(stdout.Trim().Split('\n')[^1]);
    }

    /// <summary>Runs any script of <c>tests/interop</c> and returns its exit code and output.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> RunScriptAsync(string script, IEnumerable<string> arguments, TimeSpan timeout)
    {
        using var process = Start(script, arguments);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} {string.Join(' ', arguments)} did not finish within {timeout}:\n{await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a Celery worker consuming <paramref name="queues"/>; it is ready when this returns.</summary>
    public async Task<PythonWorker> StartWorkerAsync(string queues, string name)
    {
        var process = Start("peer.py", ["worker", "-Q", queues, "-n", $"{name}@%h"]);
        var worker = new PythonWorker(process);
        await worker.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        return worker;
    }

    private Process Start(string script, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(Interpreter)
        {
            WorkingDirectory = RepositoryPaths.Interop,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(Path.Combine(RepositoryPaths.Interop, script));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["PYTHONUNBUFFERED"] = "1";
        info.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        foreach (var (key, value) in Environment)
        {
            info.Environment[key] = value;
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"Could not start {Interpreter}.");
    }
}

/// <summary>A running Python Celery worker; disposing stops it.</summary>
public sealed class PythonWorker : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal PythonWorker(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Everything the worker logged so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    internal async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var exited = _process.WaitForExitAsync();
        var done = await Task.WhenAny(_ready.Task, exited, Task.Delay(timeout));
        if (done != _ready.Task)
        {
            await DisposeAsync();
            throw new InvalidOperationException($"The Python Celery worker did not become ready:\n{Log}");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }

        if (line.Contains(" ready.", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }
}
