using System.Diagnostics;
using System.Text;
using Cadasta.WorkerToolbox.IntegrationTests.Worker;
using Cadasta.WorkerToolbox.TestSupport.Interop;

namespace Cadasta.WorkerToolbox.IntegrationTests.Hosting;

/// <summary>
/// samples/DemoWorker as bench/run and docs/worker.md start it (<c>dotnet DemoWorker.dll</c>, only
/// CELERY_* variables): it runs tasks Python Celery sends on RabbitMQ (a virtual host of its own),
/// stops gracefully on SIGTERM (the running task finishes, exit code 0), and exits 1 with one line
/// on a configuration it cannot use.
/// </summary>
public sealed class DemoWorkerProcessTests(AmqpInteropBroker broker) : IClassFixture<AmqpInteropBroker>
{
    private static string DemoWorkerDll()
    {
        // The test binaries' configuration (bin/<Configuration>/net10.0): the demo is built with the same one.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var dll = Path.Combine(RepositoryPaths.Root, "samples", "DemoWorker", "bin", configuration, "net10.0", "DemoWorker.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution (dotnet build -c {configuration}), as scripts/test does.");
        return dll;
    }

    private static DemoProcess Start(IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(DemoWorkerDll());
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("CELERY_", StringComparison.Ordinal) || k.StartsWith("SENTRY_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return new DemoProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started."));
    }

    [Fact]
    public async Task A_configuration_it_cannot_use_is_one_line_and_exit_code_1()
    {
        using var demo = Start(new Dictionary<string, string> { ["CELERY_BROKER_URL"] = "bogus://nowhere" });

        var exit = await demo.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, exit);
        var line = Assert.Single(demo.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Demo worker cannot start: The broker 'bogus://' is not supported", line, StringComparison.Ordinal);
        Assert.Equal(string.Empty, demo.Output.Trim());
    }

    [Fact]
    public async Task It_runs_python_sent_tasks_and_stops_gracefully_on_sigterm()
    {
        using var demo = Start(broker.CliEnvironment);
        await demo.WaitForOutputAsync("Demo worker running tasks", TimeSpan.FromSeconds(60));

        var added = await broker.Peer.RunAsync("send", "msg.add", "--args", "[2, 40]");
        Assert.Equal(42, (int?)(await broker.Peer.RunAsync("get", (string)added!["id"]!, "--timeout", "60"))!["result"]);

        var slow = (string)(await broker.Peer.RunAsync("send", "msg.sleep", "--args", "[2]"))!["id"]!;
        await demo.WaitForOutputAsync($"Task msg.sleep[{slow}] received", TimeSpan.FromSeconds(60));
        using (var kill = Process.Start("kill", ["-TERM", demo.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        Assert.Equal(0, await demo.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        // The task that was running when SIGTERM came finished within the grace period.
        var sleep = await broker.Peer.RunAsync("get", slow, "--timeout", "10");
        Assert.Equal("SUCCESS", (string?)sleep!["status"]);
        Assert.Contains($"Task msg.sleep[{slow}] succeeded", demo.Output, StringComparison.Ordinal);
        Assert.Contains("Worker stopping: 1 task(s) running", demo.Output, StringComparison.Ordinal);
    }

    /// <summary>The demo's process, its output collected as it comes; disposing kills it if it still runs.</summary>
    private sealed class DemoProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly StringBuilder _errors = new();

        public DemoProcess(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) => Append(_output, e.Data);
            _process.ErrorDataReceived += (_, e) => Append(_errors, e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public int Id => _process.Id;

        public string Output => Read(_output);

        public string Errors => Read(_errors);

        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The demo worker did not exit within {timeout}:\n{Output}\n{Errors}");
            }

            return _process.ExitCode;
        }

        public async Task WaitForOutputAsync(string text, TimeSpan timeout)
        {
            var deadline = Stopwatch.StartNew();
            while (!Output.Contains(text, StringComparison.Ordinal))
            {
                if (_process.HasExited || deadline.Elapsed > timeout)
                {
                    throw new InvalidOperationException($"The demo worker never wrote '{text}':\n{Output}\n{Errors}");
                }

                await Task.Delay(50);
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }

            _process.Dispose();
        }

        private static void Append(StringBuilder buffer, string? line)
        {
            if (line is not null)
            {
                lock (buffer)
                {
                    buffer.AppendLine(line);
                }
            }
        }

        private static string Read(StringBuilder buffer)
        {
            lock (buffer)
            {
                return buffer.ToString();
            }
        }
    }
}
