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

    private IHost BuildHost(bool sentry)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddCadastaWorker(options =>
        {
            options.Environment = new Dictionary<string, string>
            {
                ["SENTRY_DSN"] = $"http://0123456789abcdef0123456789abcdef@127.0.0.1:{_port}/42",
                ["SENTRY_NAME"] = "export-worker-1",
                ["SENTRY_ENVIRONMENT"] = "staging",
                ["SENTRY_RELEASE"] = "1.2.3",
            };
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

        var sent = Assert.Single(_bodies);
        var lines = sent.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("/api/42/envelope/", lines[0]);
        var sentryEvent = lines.Skip(1).Select(l => JsonNode.Parse(l)).Single(n => n?["exception"] is not null)!;
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
        await host.StopAsync();

        Assert.Empty(_bodies);
    }
}
