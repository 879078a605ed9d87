using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Cadasta.WorkerToolbox.Hosting;
using Cadasta.WorkerToolbox.Producing;
using Cadasta.WorkerToolbox.Results;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Tests.Hosting;

/// <summary>SETUP_SENTRY_LOGGING against a Sentry stand-in on 127.0.0.1 that keeps what the SDK sends.</summary>
public sealed class SentryReportingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cadasta-sentry-").FullName;
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<string> _bodies = new();
    private readonly int _port;

    public SentryReportingTests()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            _port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
        }

        _listener.Prefixes.Add($"http://127.0.0.1:{_port}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public void Dispose()
    {
        _listener.Close();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            Stream body = context.Request.InputStream;
            if (context.Request.Headers["Content-Encoding"] == "gzip")
            {
                body = new GZipStream(body, CompressionMode.Decompress);
            }

            using var reader = new StreamReader(body, Encoding.UTF8);
            _bodies.Enqueue(context.Request.Url!.AbsolutePath + "\n" + await reader.ReadToEndAsync());
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }

    private Dictionary<string, string> SentryEnvironment() => new()
    {
        ["SENTRY_DSN"] = $"http://0123456789abcdef0123456789abcdef@127.0.0.1:{_port}/42",
        ["SENTRY_NAME"] = "export-worker-1",
        ["SENTRY_ENVIRONMENT"] = "staging",
        ["SENTRY_RELEASE"] = "1.2.3",
    };

    /// <summary>Every event the SDK sent (one per envelope item of type event).</summary>
    private List<JsonNode> Events() => _bodies
        .SelectMany(body => body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        .Select(line => JsonNode.Parse(line)!)
        .Where(node => node is JsonObject item && item["event_id"] is not null && item["level"] is not null)
        .ToList();

    private IHost BuildHost(bool sentry)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddCadastaWorker(options =>
        {
            options.Environment = SentryEnvironment();
            options.Settings["SETUP_SENTRY_LOGGING"] = sentry;
            options.Settings["broker_url"] = "memory://";
            options.Settings["result_backend"] = $"db+sqlite:///{Path.Combine(_folder, "results.db")}";
            options.Tasks.Register("export.broken", string (string project, long count) => throw new InvalidOperationException($"cannot export {project}"));
            options.Tasks.Register("export.fine", () => "ok");
            options.ConfigureWorker = worker => worker with { Concurrency = 1 };
        });
        return builder.Build();
    }

    private static async Task RunAsync(IHost host, string task, IEnumerable<object?>? args = null, Dictionary<string, object?>? kwargs = null)
    {
        var id = await host.Services.GetRequiredService<TaskProducer>().SendTaskAsync(task, args, kwargs);
        await new AsyncResult(id, host.Services.GetRequiredService<IResultStore>()).WaitAsync(TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
    }

    [Fact]
    public async Task A_failed_task_is_reported_with_name_id_args_kwargs_traceback_and_the_sentry_settings()
    {
        using var host = BuildHost(sentry: true);
        await host.StartAsync();
        await RunAsync(host, "export.fine");
        var id = await host.Services.GetRequiredService<TaskProducer>().SendTaskAsync(
            "export.broken", ["parcels"], new Dictionary<string, object?> { ["count"] = 3L });
        await new AsyncResult(id, host.Services.GetRequiredService<IResultStore>()).WaitAsync(TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
        await host.StopAsync();   // flushes the client

        // One event; the SDK may also send, in an envelope of its own, a client report counting the
        // duplicate it dropped (the ERROR line of the same exception).
        Assert.All(_bodies, body => Assert.StartsWith("/api/42/envelope/\n", body, StringComparison.Ordinal));
        var sentryEvent = Assert.Single(Events());
        var exception = sentryEvent["exception"]!["values"]!.AsArray().Last()!;
        Assert.Equal("System.InvalidOperationException", exception["type"]!.GetValue<string>());
        Assert.Equal("cannot export parcels", exception["value"]!.GetValue<string>());
        Assert.Equal(id, sentryEvent["extra"]!["task_id"]!.GetValue<string>());
        Assert.Equal("export.broken", sentryEvent["extra"]!["task"]!.GetValue<string>());
        Assert.Equal("parcels", sentryEvent["extra"]!["args"]![0]!.GetValue<string>());
        Assert.Equal(3, sentryEvent["extra"]!["kwargs"]!["count"]!.GetValue<long>());
        Assert.Contains("cannot export parcels", sentryEvent["extra"]!["traceback"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("export.broken", sentryEvent["transaction"]!.GetValue<string>());
        Assert.Equal("export-worker-1", sentryEvent["server_name"]!.GetValue<string>());
        Assert.Equal("staging", sentryEvent["environment"]!.GetValue<string>());
        Assert.Equal("1.2.3", sentryEvent["release"]!.GetValue<string>());
        Assert.Equal("error", sentryEvent["level"]!.GetValue<string>());
    }

    [Fact]
    public async Task Nothing_is_sent_when_sentry_logging_is_off()
    {
        using var host = BuildHost(sentry: false);
        await host.StartAsync();
        await RunAsync(host, "export.broken", ["parcels", 1L]);
        host.Services.GetRequiredService<ILogger<SentryReportingTests>>().LogError("Disk {Disk} is full", "sda");
        await host.StopAsync();

        Assert.Empty(_bodies);
    }

    [Fact]
    public async Task Every_error_line_is_an_event_and_a_failed_task_stays_one_event()
    {
        using var host = BuildHost(sentry: true);
        await host.StartAsync();
        var log = host.Services.GetRequiredService<ILogger<SentryReportingTests>>();
        log.LogWarning("Disk {Disk} is almost full", "sda");
        log.LogError("Disk {Disk} is full", "sda");
        log.LogCritical(new TimeoutException("no heartbeat"), "Lost the {Service}", "broker");
        var id = await host.Services.GetRequiredService<TaskProducer>().SendTaskAsync("export.broken", ["parcels", 1L]);
        await new AsyncResult(id, host.Services.GetRequiredService<IResultStore>()).WaitAsync(TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
        await host.StopAsync();

        var events = Events();
        // The failed task logged "Task export.broken[id] raised unexpected: ..." at ERROR: that line is not a second event.
        Assert.Equal(3, events.Count);
        var task = Assert.Single(events, e => e["extra"]?["task_id"]?.GetValue<string>() == id);
        Assert.Equal("celery.task", task["logger"]!.GetValue<string>());
        Assert.DoesNotContain(events, e => e["logentry"]?.ToJsonString().Contains("raised unexpected", StringComparison.Ordinal) == true);

        var disk = Assert.Single(events, e => e["logentry"]?["formatted"]?.GetValue<string>() == "Disk sda is full");
        Assert.Equal("Disk {Disk} is full", disk["logentry"]!["message"]!.GetValue<string>());
        Assert.Equal("error", disk["level"]!.GetValue<string>());
        Assert.Equal(typeof(SentryReportingTests).FullName, disk["logger"]!.GetValue<string>());
        Assert.Equal("sda", disk["extra"]!["Disk"]!.GetValue<string>());
        Assert.Equal("export-worker-1", disk["server_name"]!.GetValue<string>());
        Assert.Equal("staging", disk["environment"]!.GetValue<string>());
        Assert.Null(disk["exception"]);

        var lost = Assert.Single(events, e => e["logentry"]?["formatted"]?.GetValue<string>() == "Lost the broker");
        Assert.Equal("fatal", lost["level"]!.GetValue<string>());
        var exception = lost["exception"]!["values"]!.AsArray().Last()!;
        Assert.Equal("System.TimeoutException", exception["type"]!.GetValue<string>());
        Assert.Equal("no heartbeat", exception["value"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_producer_sends_its_error_lines_too_and_flushes_them_when_the_host_is_disposed()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddCadastaProducer(options =>
        {
            options.Environment = SentryEnvironment();
            options.Settings["broker_url"] = "memory://";
        });
        using (var host = builder.Build())
        {
            await host.StartAsync();
            host.Services.GetRequiredService<ILogger<SentryReportingTests>>().LogError("Could not publish {Task}", "export.project");
            await host.StopAsync();
        }

        var sent = Assert.Single(Events());
        Assert.Equal("Could not publish export.project", sent["logentry"]!["formatted"]!.GetValue<string>());
    }
}
