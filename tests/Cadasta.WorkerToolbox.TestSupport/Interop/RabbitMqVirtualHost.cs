using System.Diagnostics;
using Xunit;

namespace Cadasta.WorkerToolbox.TestSupport.Interop;

/// <summary>
/// A virtual host of its own on the shared RabbitMQ (127.0.0.1:5672), made and dropped with rabbitmqctl,
/// so that a test's queues never meet anyone else's.
/// </summary>
public static class RabbitMqVirtualHost
{
    /// <summary>Adds the virtual host and opens it to guest; fails the test, saying why, when it cannot.</summary>
    public static async Task CreateAsync(string name)
    {
        await RequiredService.RabbitMq.EnsureAsync();
        var (added, addOutput) = await RabbitMqCtlAsync("add_vhost", name);
        Assert.True(added == 0, $"rabbitmqctl could not add virtual host '{name}' (run the tests as root next to `scripts/services/rabbitmq start`): {addOutput}");
        var (opened, openOutput) = await RabbitMqCtlAsync("set_permissions", "-p", name, "guest", ".*", ".*", ".*");
        Assert.True(opened == 0, $"rabbitmqctl could not open virtual host '{name}' to guest: {openOutput}");
    }

    /// <summary>Drops the virtual host and everything in it.</summary>
    public static Task DeleteAsync(string name) => RabbitMqCtlAsync("delete_vhost", name);

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
