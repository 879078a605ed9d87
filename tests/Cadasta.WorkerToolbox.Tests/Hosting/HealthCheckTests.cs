using System.Net;
using System.Net.Sockets;
using Cadasta.WorkerToolbox.Cli.Commands;
using Cadasta.WorkerToolbox.Hosting;
using Cadasta.WorkerToolbox.TestSupport.Cli;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cadasta.WorkerToolbox.Tests.Hosting;

public sealed class HealthCheckTests
{
    /// <summary>A loopback port nothing listens on: bound, then released.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task The_broker_check_is_unhealthy_when_the_broker_refuses_connections()
    {
        var services = new ServiceCollection();
        services.AddCadastaProducer(options =>
        {
            options.Environment = new Dictionary<string, string>();
            options.Settings["broker_url"] = $"amqp://guest:secret@127.0.0.1:{ClosedPort()}//";
            options.HealthCheckTimeout = TimeSpan.FromSeconds(1);
        });
        await using var provider = services.BuildServiceProvider();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(deadline.Token);

        var broker = report.Entries[CadastaServiceCollectionExtensions.BrokerCheckName];
        Assert.Equal(HealthStatus.Unhealthy, broker.Status);
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Contains("amqp://guest:****@127.0.0.1", broker.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", broker.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_result_store_check_is_healthy_on_a_fresh_sqlite_file()
    {
        var folder = Directory.CreateTempSubdirectory("cadasta-health-").FullName;
        try
        {
            var services = new ServiceCollection();
            services.AddCadastaProducer(options =>
            {
                options.Environment = new Dictionary<string, string>();
                options.Settings["broker_url"] = "memory://";
                options.Settings["result_backend"] = $"db+sqlite:///{Path.Combine(folder, "r.db")}";
            });
            await using var provider = services.BuildServiceProvider();

            var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

            Assert.Equal(HealthStatus.Healthy, report.Status);
            Assert.StartsWith("result store db+sqlite:///", report.Entries[CadastaServiceCollectionExtensions.ResultStoreCheckName].Description, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_health_command_exits_1_with_one_line_per_check_when_the_broker_is_down()
    {
        var folder = Directory.CreateTempSubdirectory("cadasta-health-").FullName;
        var environment = new Dictionary<string, string>
        {
            ["CELERY_BROKER_URL"] = $"amqp://guest:guest@127.0.0.1:{ClosedPort()}//",
            ["CELERY_RESULT_BACKEND"] = $"db+sqlite:///{Path.Combine(folder, "r.db")}",
        };

        var (exit, output, _) = await CommandRunner.RunAsync(HealthCommand.Create(environment), "health", "--timeout", "1");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);

        Assert.Equal(HealthCommand.UnhealthyExitCode, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("cadasta-broker: Unhealthy - ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("cadasta-results: Healthy - result store db+sqlite:///", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_health_command_exits_2_on_an_invalid_configuration()
    {
        var environment = new Dictionary<string, string> { ["CELERY_QUEUES"] = "(oops" };

        var (exit, _, error) = await CommandRunner.RunAsync(HealthCommand.Create(environment), "health");

        Assert.Equal(ConfigCommand.InvalidConfigurationExitCode, exit);
        Assert.Contains("CELERY_QUEUES", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("amqp://guest:guest@host:5672//", "amqp://guest:****@host:5672//")]
    [InlineData("db+postgresql://worker:cadasta@127.0.0.1/cadasta", "db+postgresql://worker:****@127.0.0.1/cadasta")]
    [InlineData("memory://", "memory://")]
    [InlineData("amqp://user@host//", "amqp://user@host//")]
    public void Urls_in_reports_hide_their_password(string url, string shown) =>
        Assert.Equal(shown, UrlDisplay.MaskPassword(url));
}
