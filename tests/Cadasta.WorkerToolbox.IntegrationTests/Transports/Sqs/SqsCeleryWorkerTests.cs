using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Amazon.SQS.Model;
using Cadasta.WorkerToolbox.Routing;
using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.IntegrationTests.Transports.Sqs;

/// <summary>A real Celery 5.2.6 worker (kombu's asynchronous SQS client) runs a task we publish over SQS.</summary>
public sealed class SqsCeleryWorkerTests : IAsyncLifetime
{
    private SqsTestEnvironment _sqs = null!;

    public async Task InitializeAsync() => _sqs = await SqsTestEnvironment.StartAsync();

    public async Task DisposeAsync() => await _sqs.DisposeAsync();

    [Fact]
    public async Task Celery_worker_executes_and_acks_a_task_we_published()
    {
        var transport = _sqs.CreateTransport();
        var exchange = new ExchangeDeclaration("task_exchange", ExchangeDeclaration.Topic);
        await transport.DeclareAsync(new Topology([new QueueDeclaration("interop", exchange, "interop")]));
        var output = Path.Combine(Path.GetTempPath(), $"sqs-celery-{Guid.NewGuid():N}.txt");
        await using var worker = await CeleryWorker.StartAsync(_sqs.Prefix);

        var id = Guid.NewGuid().ToString();
        var text = "Z\u00fcrich \u2603 via SQS";
        await transport.PublishAsync("task_exchange", "interop", new TransportMessage
        {
            Body = Encoding.UTF8.GetBytes($"[[\"{output}\", \"{text}\"], {{}}, {{\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}}]"),
            Headers = new Dictionary<string, object?>
            {
                ["lang"] = "py", ["task"] = "interop.write", ["id"] = id, ["shadow"] = null, ["eta"] = null,
                ["expires"] = null, ["group"] = null, ["group_index"] = null, ["retries"] = 0L,
                ["timelimit"] = new List<object?> { null, null }, ["root_id"] = id, ["parent_id"] = null,
                ["argsrepr"] = "(...)", ["kwargsrepr"] = "{}", ["origin"] = "dotnet-test", ["ignore_result"] = false,
            },
            Properties = new Dictionary<string, object?> { ["correlation_id"] = id, ["reply_to"] = string.Empty, ["delivery_mode"] = 2L },
        });

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!File.Exists(output))
        {
            Assert.False(deadline.IsCancellationRequested, $"The Celery worker did not run the task within 60 s. Worker log:\n{worker.Log}");
            await Task.Delay(100);
        }

        Assert.Equal(text, await File.ReadAllTextAsync(output));
        File.Delete(output);
        Assert.Contains($"Task interop.write[{id}] succeeded", await worker.WaitForLogAsync($"Task interop.write[{id}] succeeded"), StringComparison.Ordinal);

        // Celery acks early (task_acks_late false): the message is gone from the queue.
        var url = await _sqs.QueueUrlAsync(_sqs.Prefix + "interop");
        var attributes = await _sqs.Client.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = url, AttributeNames = ["ApproximateNumberOfMessages"] });
        Assert.Equal("0", attributes.Attributes["ApproximateNumberOfMessages"]);
    }

    private sealed class CeleryWorker : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _log = new();
        private readonly Lock _logLock = new();

        private CeleryWorker(Process process) => _process = process;

        public string Log
        {
            get
            {
                lock (_logLock)
                {
                    return _log.ToString();
                }
            }
        }

        public static async Task<CeleryWorker> StartAsync(string prefix, [CallerFilePath] string here = "")
        {
            var start = new ProcessStartInfo("/usr/bin/python3")
            {
                WorkingDirectory = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "interop")),
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { "-m", "celery", "-A", "sqs_celery_worker", "worker", "-Q", "interop", "--pool", "solo", "-l", "INFO", "--without-heartbeat", "--without-gossip", "--without-mingle" })
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["SQS_ENDPOINT"] = SqsTestEnvironment.Endpoint;
            start.Environment["SQS_PREFIX"] = prefix;
            start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
            var worker = new CeleryWorker(Process.Start(start)!);
            worker._process.OutputDataReceived += (_, e) => worker.Append(e.Data);
            worker._process.ErrorDataReceived += (_, e) => worker.Append(e.Data);
            worker._process.BeginOutputReadLine();
            worker._process.BeginErrorReadLine();
            await worker.WaitForLogAsync(" ready.");
            return worker;
        }

        public async Task<string> WaitForLogAsync(string text)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (!Log.Contains(text, StringComparison.Ordinal))
            {
                if (_process.HasExited)
                {
                    Assert.Fail($"The Celery worker exited ({_process.ExitCode}):\n{Log}");
                }

                Assert.False(deadline.IsCancellationRequested, $"'{text}' not in the Celery worker's log within 60 s:\n{Log}");
                await Task.Delay(100);
            }

            return Log;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
            _process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_logLock)
            {
                _log.AppendLine(line);
            }
        }
    }
}
