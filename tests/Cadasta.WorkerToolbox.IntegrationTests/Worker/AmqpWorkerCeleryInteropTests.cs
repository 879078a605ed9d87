using System.Diagnostics;
using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.TestSupport.Interop;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Amqp;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cadasta.WorkerToolbox.IntegrationTests.Worker;

/// <summary>The worker interop suite on RabbitMQ, in its own virtual host.</summary>
public sealed class AmqpWorkerCeleryInteropTests : WorkerCeleryInteropSuite
{
    private const string VirtualHost = "cadasta-worker-interop";

    protected override string BrokerUrl => "amqp://guest:guest@127.0.0.1:5672/" + VirtualHost;

    protected override IReadOnlyDictionary<string, string> PeerEnvironment { get; } = new Dictionary<string, string>();

    protected override IReadOnlyDictionary<string, object?> BrokerSettings { get; } = new Dictionary<string, object?>();

    protected override async Task PrepareBrokerAsync()
    {
        await RequiredService.RabbitMq.EnsureAsync();

        // Idempotent: adding an existing vhost fails harmlessly; permissions are set every time.
        await RabbitMqCtlAsync("add_vhost", VirtualHost);
        var (exitCode, output) = await RabbitMqCtlAsync("set_permissions", "-p", VirtualHost, "guest", ".*", ".*", ".*");
        Assert.True(exitCode == 0, $"rabbitmqctl could not open virtual host '{VirtualHost}' to guest (run the tests as root next to `scripts/services/rabbitmq start`): {output}");
        foreach (var queue in new[] { "msg", "export", "py", "celery", "platform.fifo" })
        {
            await RabbitMqCtlAsync("purge_queue", "-p", VirtualHost, queue);
        }
    }

    protected override ITransport CreateTransport(Config config) =>
        AmqpTransportFactory.Create(BrokerUrl, NullLoggerFactory.Instance, TimeProvider.System);

    private static async Task<(int ExitCode, string Output)> RabbitMqCtlAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("rabbitmqctl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("rabbitmqctl could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output + await errors);
    }
}
