using System.Diagnostics;
using System.Text.Json.Nodes;
using Cadasta.WorkerToolbox.TestSupport.Interop;

namespace Cadasta.WorkerToolbox.IntegrationTests.Worker;

/// <summary>RabbitMQ, in a virtual host of its own that is deleted afterwards.</summary>
public sealed class AmqpInteropBroker : InteropBroker
{
    private readonly string _virtualHost = $"cadasta-interop-{Guid.NewGuid():N}";

    public override string BrokerUrl => "amqp://guest:guest@127.0.0.1:5672/" + _virtualHost;

    public override string Name => "RabbitMQ";

    protected override IReadOnlyDictionary<string, string> NamespaceEnvironment { get; } = new Dictionary<string, string>();

    protected override IReadOnlyDictionary<string, object?> BrokerSettings { get; } = new Dictionary<string, object?>();

    /// <summary>
    /// On RabbitMQ py-amqp sends only the standard AMQP properties, so the platform's kombu consumer
    /// never sees custom ones among its properties: our transport carries them in the
    /// <c>x-cadasta-properties</c> header (docs/rabbitmq.md).
    /// </summary>
    public override JsonObject? CustomOptions(JsonNode platformMessage) =>
        platformMessage["headers"]?["x-cadasta-properties"] as JsonObject;

    protected override async Task PrepareAsync()
    {
        await RequiredService.RabbitMq.EnsureAsync();
        var (added, addOutput) = await RabbitMqCtlAsync("add_vhost", _virtualHost);
        Assert.True(added == 0, $"rabbitmqctl could not add virtual host '{_virtualHost}' (run the tests as root next to `scripts/services/rabbitmq start`): {addOutput}");
        var (exitCode, output) = await RabbitMqCtlAsync("set_permissions", "-p", _virtualHost, "guest", ".*", ".*", ".*");
        Assert.True(exitCode == 0, $"rabbitmqctl could not open virtual host '{_virtualHost}' to guest: {output}");
    }

    protected override async Task CleanUpAsync() => await RabbitMqCtlAsync("delete_vhost", _virtualHost);

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
