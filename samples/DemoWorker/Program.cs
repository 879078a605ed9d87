// The demo worker: runs the demo tasks (msg.add, msg.echo, export.project...) on the broker and
// result store that the environment configures (CELERY_BROKER_URL, CELERY_RESULT_BACKEND or the
// CELERY_RESULT_DB_* parts, CELERY_QUEUES...; see docs/configuration.md). Ctrl+C or SIGTERM stops
// it gracefully: running tasks finish, tasks not started go back to the broker.
using System.Runtime.InteropServices;
using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Producing;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Memory;
using Cadasta.WorkerToolbox.Worker;
using Cadasta.WorkerToolbox.Worker.Demo;
using Microsoft.Extensions.Logging;

using var loggerFactory = LoggerFactory.Create(logging => logging
    .AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "HH:mm:ss "; })
    .SetMinimumLevel(LogLevel.Information));
var log = loggerFactory.CreateLogger("DemoWorker");

try
{
    var config = new Config();
    // memory:// is a broker inside this process: useful only with a producer here too (the CLI's demo).
    await using var transport = TransportFactory.Create(config, new MemoryBroker(loggerFactory.CreateLogger<MemoryBroker>()), loggerFactory);
    await using var results = new DatabaseResultStore(
        new ResultStoreOptions { BackendUrl = config.ResultBackend ?? throw new ConfigurationException("No result backend is configured (CELERY_RESULT_BACKEND).") },
        loggerFactory.CreateLogger<DatabaseResultStore>());
    await results.EnsureSchemaAsync();

    var producer = new TaskProducer(config, transport, logger: loggerFactory.CreateLogger<TaskProducer>());
    var registry = DemoTasks.Register(new TaskRegistry());
    await using var worker = new TaskWorker(registry, transport, results, producer, WorkerOptions.FromConfig(config), logger: loggerFactory.CreateLogger<TaskWorker>());

    using var stop = new CancellationTokenSource();
    void RequestStop(PosixSignalContext signal)
    {
        signal.Cancel = true;
        log.LogInformation("{Signal} received: stopping gracefully", signal.Signal);
        stop.Cancel();
    }

    using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestStop);
    using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestStop);

    await worker.StartAsync(stop.Token);
    log.LogInformation("Demo worker running tasks {Tasks}", string.Join(", ", registry.Names.Order(StringComparer.Ordinal)));
    try
    {
        await Task.Delay(Timeout.InfiniteTimeSpan, stop.Token);
    }
    catch (OperationCanceledException)
    {
        // Ctrl+C or SIGTERM.
    }

    await worker.StopAsync();
    return 0;
}
catch (Exception error) when (error is ConfigurationException or InvalidOperationException)
{
    log.LogCritical("Demo worker cannot start: {Reason}", error.Message);
    return 1;
}
