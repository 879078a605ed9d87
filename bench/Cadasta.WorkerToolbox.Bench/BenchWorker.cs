using System.Runtime.InteropServices;
using System.Text.Json;
using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Producing;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Memory;
using Cadasta.WorkerToolbox.Transports.Sqs;
using Cadasta.WorkerToolbox.Worker;
using Cadasta.WorkerToolbox.Worker.Demo;
using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Bench;

/// <summary>
/// samples/DemoWorker's worker, line for line, plus one thing: when it stops, the SQS transport's
/// API call counters go to $BENCH_COUNTERS_FILE (they live in the worker's process).
/// </summary>
internal static class BenchWorker
{
    public static async Task<int> RunAsync()
    {
        using var loggerFactory = LoggerFactory.Create(logging => logging
            .AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(LogLevel.Information));
        var config = new Config();
        await using var transport = TransportFactory.Create(config, new MemoryBroker(loggerFactory.CreateLogger<MemoryBroker>()), loggerFactory);
        await using var results = new DatabaseResultStore(
            new ResultStoreOptions { BackendUrl = config.ResultBackend ?? throw new ConfigurationException("No result backend is configured.") },
            loggerFactory.CreateLogger<DatabaseResultStore>());
        await results.EnsureSchemaAsync();
        var producer = new TaskProducer(config, transport, logger: loggerFactory.CreateLogger<TaskProducer>());
        var registry = DemoTasks.Register(new TaskRegistry());
        await using var worker = new TaskWorker(registry, transport, results, producer, WorkerOptions.FromConfig(config), logger: loggerFactory.CreateLogger<TaskWorker>());

        using var stop = new CancellationTokenSource();
        void RequestStop(PosixSignalContext signal)
        {
            signal.Cancel = true;
            stop.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestStop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestStop);
        await worker.StartAsync(stop.Token);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await worker.StopAsync();
        if (transport is SqsTransport sqs && Environment.GetEnvironmentVariable("BENCH_COUNTERS_FILE") is { Length: > 0 } file)
        {
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(sqs.Counters.Snapshot()));
        }

        return 0;
    }
}
