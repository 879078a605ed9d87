using Cadasta.WorkerToolbox.Cli.Commands;
using Cadasta.WorkerToolbox.Hosting;
using Cadasta.WorkerToolbox.Producing;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.TestSupport.Cli;
using Cadasta.WorkerToolbox.TestSupport.Interop;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace Cadasta.WorkerToolbox.IntegrationTests.Hosting;

/// <summary>
/// The health checks and <c>cadasta-worker health</c> against the real RabbitMQ and PostgreSQL. Each
/// test uses a queue of its own (deleted afterwards) so no other test's messages are consumed.
/// </summary>
public sealed class HostingHealthTests : IAsyncLifetime
{
    private readonly string _queue = $"health-{Guid.NewGuid():N}";

    public async Task InitializeAsync()
    {
        await RequiredService.RabbitMq.EnsureAsync();
        await RequiredService.PostgreSql.EnsureAsync();
    }

    public async Task DisposeAsync()
    {
        var factory = new ConnectionFactory { Uri = new Uri("amqp://guest:guest@127.0.0.1:5672/") };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeleteAsync(_queue);
    }

    private Dictionary<string, string> Environment(string broker, string backend) => new()
    {
        ["CELERY_BROKER_URL"] = broker,
        ["CELERY_RESULT_BACKEND"] = backend,
        ["CELERY_QUEUES"] = $"['{_queue}']",
    };

    [Fact]
    public async Task A_hosted_worker_on_rabbitmq_and_postgresql_is_healthy_and_runs_a_task()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddCadastaWorker(options =>
        {
            options.Environment = Environment(RequiredService.RabbitMqUrl, RequiredService.PostgreSqlBackendUrl);
            options.Tasks.Register($"{_queue}.add", (long x, long y) => x + y);
            options.ConfigureWorker = worker => worker with { Concurrency = 1 };
        });
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

            Assert.True(report.Status == HealthStatus.Healthy, string.Join("; ", report.Entries.Select(e => $"{e.Key}: {e.Value.Status} {e.Value.Description}")));
            Assert.Equal(3, report.Entries.Count);
            Assert.Contains(_queue, report.Entries[CadastaServiceCollectionExtensions.ConsumingCheckName].Description, StringComparison.Ordinal);

            var id = await host.Services.GetRequiredService<TaskProducer>().SendTaskAsync($"{_queue}.add", [20L, 22L]);
            var result = await new AsyncResult(id, host.Services.GetRequiredService<IResultStore>())
                .WaitAsync(TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));
            Assert.Equal(42L, result.Value);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task The_health_command_exits_0_against_rabbitmq_and_postgresql()
    {
        var (exit, output, error) = await CommandRunner.RunAsync(
            HealthCommand.Create(Environment(RequiredService.RabbitMqUrl, RequiredService.PostgreSqlBackendUrl)), "health");

        Assert.True(exit == 0, output + error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            ["cadasta-broker: Healthy - broker amqp://guest:****@127.0.0.1:5672// reachable", "cadasta-results: Healthy - result store db+postgresql://worker:****@127.0.0.1:5432/cadasta reachable"],
            lines);
    }

    [Fact]
    public async Task The_health_command_exits_1_when_postgresql_refuses_the_login()
    {
        var (exit, output, _) = await CommandRunner.RunAsync(
            HealthCommand.Create(Environment(RequiredService.RabbitMqUrl, "db+postgresql://worker:wrong-password@127.0.0.1:5432/cadasta")), "health", "--timeout", "5");

        Assert.Equal(HealthCommand.UnhealthyExitCode, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("cadasta-broker: Healthy", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("cadasta-results: Unhealthy - result store db+postgresql://worker:****@127.0.0.1:5432/cadasta", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_health_command_exits_1_when_rabbitmq_refuses_the_login()
    {
        var (exit, output, _) = await CommandRunner.RunAsync(
            HealthCommand.Create(Environment("amqp://guest:not-the-password@127.0.0.1:5672//", RequiredService.PostgreSqlBackendUrl)), "health", "--timeout", "5");

        Assert.Equal(HealthCommand.UnhealthyExitCode, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("cadasta-broker: Unhealthy - broker amqp://guest:****@127.0.0.1:5672// unreachable", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("cadasta-results: Healthy", lines[1], StringComparison.Ordinal);
    }
}
