using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Hosting;
using Cadasta.WorkerToolbox.Producing;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Cadasta.WorkerToolbox.Tests.Hosting;

public sealed class HostedWorkerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cadasta-hosting-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private IHost BuildHost(Action<CadastaWorkerOptions>? more = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddCadastaWorker(options =>
        {
            options.Environment = new Dictionary<string, string>();
            options.Settings["broker_url"] = "memory://";
            options.Settings["result_backend"] = $"db+sqlite:///{Path.Combine(_folder, "results.db")}";
            options.Tasks.Register("msg.add", (long x, long y) => x + y);
            options.ConfigureWorker = worker => worker with { Concurrency = 2, ShutdownGracePeriod = TimeSpan.FromSeconds(7) };
            more?.Invoke(options);
        });
        return builder.Build();
    }

    [Fact]
    public async Task The_host_runs_a_registered_task_end_to_end_on_memory_and_sqlite()
    {
        using var host = BuildHost();
        await host.StartAsync();

        var producer = host.Services.GetRequiredService<TaskProducer>();
        var store = host.Services.GetRequiredService<IResultStore>();
        var id = await producer.SendTaskAsync("msg.add", [2L, 40L]);
        var result = await new AsyncResult(id, store).WaitAsync(TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));

        Assert.Equal(TaskStates.Success, result.State);
        Assert.Equal(42L, result.Value);
        await host.StopAsync();
    }

    [Fact]
    public async Task Setup_file_logging_writes_the_task_lifecycle_as_celery_words_it()
    {
        var logs = Path.Combine(_folder, "logs");
        using var host = BuildHost(options =>
        {
            options.Settings["SETUP_FILE_LOGGING"] = true;
            options.LogDirectory = logs;
            options.Tasks.Register("msg.fail", string () => throw new InvalidOperationException("no luck"));
        });
        await host.StartAsync();
        var producer = host.Services.GetRequiredService<TaskProducer>();
        var store = host.Services.GetRequiredService<IResultStore>();
        var added = await producer.SendTaskAsync("msg.add", [2L, 40L]);
        var failed = await producer.SendTaskAsync("msg.fail");
        await new AsyncResult(added, store).WaitAsync(TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
        await new AsyncResult(failed, store).WaitAsync(TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
        await host.StopAsync();
        host.Dispose();

        var info = File.ReadAllText(Path.Combine(logs, "app.info.log"));
        var error = File.ReadAllText(Path.Combine(logs, "app.error.log"));
        const string Prefix = @"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}: ";
        Assert.Matches(new System.Text.RegularExpressions.Regex(Prefix + $@"INFO/MainProcess Task msg\.add\[{added}\] received$", System.Text.RegularExpressions.RegexOptions.Multiline), info);
        Assert.Matches(new System.Text.RegularExpressions.Regex(Prefix + $@"INFO/MainProcess Task msg\.add\[{added}\] succeeded in \d+\.\d+(e-\d+)?s: 42$", System.Text.RegularExpressions.RegexOptions.Multiline), info);
        Assert.Matches(new System.Text.RegularExpressions.Regex(Prefix + $@"ERROR/MainProcess Task msg\.fail\[{failed}\] raised unexpected: InvalidOperationException\('no luck'\)$", System.Text.RegularExpressions.RegexOptions.Multiline), error);
        Assert.DoesNotContain("received", error, StringComparison.Ordinal);
    }

    public sealed record ExportRequest(string OrgSlug, string ProjectSlug, string OutputType);

    public sealed class ExportProject
    {
        public async Task<Dictionary<string, object?>> RunAsync(TaskContext context, ExportRequest request, CancellationToken cancellationToken)
        {
            await Task.Yield();
            return new() { ["url"] = $"s3://exports/{request.ProjectSlug}.{request.OutputType}.zip", ["root"] = context.RootId };
        }
    }

    [Fact]
    public async Task The_guide_class_task_binds_a_record_from_snake_case_kwargs()
    {
        using var host = BuildHost(options => options.Tasks.RegisterClass<ExportProject>("export.project"));
        await host.StartAsync();

        var id = await host.Services.GetRequiredService<TaskProducer>().SendTaskAsync(
            "export.project",
            kwargs: new Dictionary<string, object?>
            {
                ["request"] = new Dictionary<string, object?> { ["org_slug"] = "org", ["project_slug"] = "parcels", ["output_type"] = "shp" },
            });
        var result = await new AsyncResult(id, host.Services.GetRequiredService<IResultStore>())
            .WaitAsync(TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
        await host.StopAsync();

        Assert.Equal(TaskStates.Success, result.State);
        var value = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(result.Value);
        Assert.Equal("s3://exports/parcels.shp.zip", value["url"]);
        Assert.Equal(id, value["root"]);
    }

    [Fact]
    public async Task The_host_configuration_section_configures_the_worker()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cadasta:broker_url"] = "memory://",
            ["Cadasta:result_backend"] = $"db+sqlite:///{Path.Combine(_folder, "section.db")}",
            ["Cadasta:QUEUES"] = "['reports']",
            ["Cadasta:worker_concurrency"] = "3",
        });
        builder.Services.AddCadastaWorker(options =>
        {
            options.Environment = new Dictionary<string, string> { ["CELERY_WORKER_CONCURRENCY"] = "5" };
            options.Tasks.Register("reports.count", (string text) => (long)text.Length);
        });
        using var host = builder.Build();
        await host.StartAsync();

        var id = await host.Services.GetRequiredService<TaskProducer>().SendTaskAsync("reports.count", ["four"]);
        var result = await new AsyncResult(id, host.Services.GetRequiredService<IResultStore>())
            .WaitAsync(TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
        var worker = host.Services.GetRequiredService<TaskWorker>();
        var options = host.Services.GetRequiredService<WorkerOptions>();
        await host.StopAsync();

        Assert.Equal(4L, result.Value);
        Assert.Equal(["celery", "reports"], worker.Queues.Order(StringComparer.Ordinal));   // the default queue is always served
        Assert.Equal(3, options.Concurrency);
    }

    [Fact]
    public async Task Consuming_is_healthy_while_the_host_runs_and_unhealthy_after_it_stops()
    {
        using var host = BuildHost();
        var health = host.Services.GetRequiredService<HealthCheckService>();

        var before = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, before.Entries[CadastaServiceCollectionExtensions.ConsumingCheckName].Status);

        await host.StartAsync();
        var running = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, running.Status);
        Assert.Equal(
            [CadastaServiceCollectionExtensions.BrokerCheckName, CadastaServiceCollectionExtensions.ConsumingCheckName, CadastaServiceCollectionExtensions.ResultStoreCheckName],
            running.Entries.Keys.Order(StringComparer.Ordinal));

        await host.StopAsync();
        var after = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, after.Entries[CadastaServiceCollectionExtensions.ConsumingCheckName].Status);
    }

    [Fact]
    public void The_host_waits_at_least_the_worker_grace_period_on_shutdown()
    {
        using var host = BuildHost();

        var hostOptions = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HostOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(7), host.Services.GetRequiredService<WorkerOptions>().ShutdownGracePeriod);
        Assert.True(hostOptions.ShutdownTimeout >= TimeSpan.FromSeconds(7), $"shutdown timeout {hostOptions.ShutdownTimeout}");
    }

    [Fact]
    public async Task Stopping_the_host_lets_a_running_task_finish()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var host = BuildHost(options => options.Tasks.Register("msg.slow", async () =>
        {
            started.SetResult();
            await release.Task.ConfigureAwait(false);
            return "done";
        }));
        await host.StartAsync();
        var id = await host.Services.GetRequiredService<TaskProducer>().SendTaskAsync("msg.slow");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var stopping = host.StopAsync();
        Assert.False(stopping.IsCompleted);
        release.SetResult();
        await stopping;

        var result = await host.Services.GetRequiredService<IResultStore>().ReadAsync(id);
        Assert.NotNull(result);
        Assert.Equal(TaskStates.Success, result.State);
        Assert.Equal("done", result.Value);
    }

    [Fact]
    public async Task A_producer_only_registration_sends_without_a_hosted_worker()
    {
        var services = new ServiceCollection();
        services.AddCadastaProducer(options =>
        {
            options.Environment = new Dictionary<string, string>();
            options.Settings["broker_url"] = "memory://";
            options.Settings["result_backend"] = $"db+sqlite:///{Path.Combine(_folder, "producer.db")}";
        });
        await using var provider = services.BuildServiceProvider();

        Assert.DoesNotContain(provider.GetServices<IHostedService>(), service => service is WorkerHostedService);
        var id = await provider.GetRequiredService<TaskProducer>().SendTaskAsync("msg.add", [1L, 2L]);
        Assert.False(string.IsNullOrEmpty(id));
        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.Equal("memory://", provider.GetRequiredService<Config>().BrokerUrl);
    }
}
