using System.Text.Json;
using Cadasta.WorkerToolbox.Hosting;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Sqs;
using Cadasta.WorkerToolbox.Worker;
using Cadasta.WorkerToolbox.Worker.Demo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Bench;

/// <summary>
/// samples/DemoWorker's worker (the Generic Host with AddCadastaWorker, configured only by CELERY_*), plus one
/// thing: when it stops, the SQS transport's API call counters go to $BENCH_COUNTERS_FILE (they live in the
/// worker's process).
/// </summary>
internal static class BenchWorker
{
    public static async Task<int> RunAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "HH:mm:ss "; });
        builder.Services.AddCadastaWorker(options =>
        {
            options.ConfigurationSection = null;
            DemoTasks.Register(options.Tasks);
        });

        using var host = builder.Build();
        host.Services.GetRequiredService<TaskWorker>();
        // Taken before the run: RunAsync disposes the host's services when it returns (the counters stay readable).
        var transport = host.Services.GetRequiredService<ITransport>();
        await host.RunAsync();
        if (transport is SqsTransport sqs && Environment.GetEnvironmentVariable("BENCH_COUNTERS_FILE") is { Length: > 0 } file)
        {
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(sqs.Counters.Snapshot()));
        }

        return 0;
    }
}
