// The demo worker: runs the demo tasks (msg.add, msg.echo, export.project...) on the broker and
// result store that the environment configures (CELERY_BROKER_URL, CELERY_RESULT_BACKEND or the
// CELERY_RESULT_DB_* parts, CELERY_QUEUES...; see docs/configuration.md), as a hosted service of the
// .NET Generic Host (Cadasta.WorkerToolbox.Hosting, docs/hosting.md). Ctrl+C or SIGTERM stops it
// gracefully: running tasks finish within the grace period, tasks not started go back to the broker.
// A configuration it cannot use: one line on stderr, exit code 1.
using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Hosting;
using Cadasta.WorkerToolbox.Worker;
using Cadasta.WorkerToolbox.Worker.Demo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "HH:mm:ss "; });
builder.Services.AddCadastaWorker(options =>
{
    // Only the CELERY_* environment configures the demo, as the Python toolbox's workers.
    options.ConfigurationSection = null;
    DemoTasks.Register(options.Tasks);
});

IHost host;
try
{
    host = builder.Build();
    // Builds the configuration, broker connection, result store and worker now, so that a bad
    // configuration stops the demo here, before the host starts (no broker is contacted yet).
    host.Services.GetRequiredService<TaskWorker>();
}
catch (Exception error) when (error is ConfigurationException or FormatException or InvalidOperationException)
{
    Console.Error.WriteLine($"Demo worker cannot start: {error.Message}");
    return 1;
}

using (host)
{
    var registry = host.Services.GetRequiredService<TaskRegistry>();
    var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("DemoWorker");
    host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() =>
        log.LogInformation("Demo worker running tasks {Tasks}", string.Join(", ", registry.Names.Order(StringComparer.Ordinal))));
    try
    {
        await host.RunAsync();
    }
    catch (Exception error) when (error is not OperationCanceledException)
    {
        // The host has logged the failure (a broker or database that cannot be reached at start).
        Console.Error.WriteLine($"Demo worker stopped: {error.Message}");
        return 1;
    }
}

return 0;
