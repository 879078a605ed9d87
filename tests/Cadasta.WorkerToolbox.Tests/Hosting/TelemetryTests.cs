using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Cadasta.WorkerToolbox.Hosting;
using Cadasta.WorkerToolbox.Producing;
using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cadasta.WorkerToolbox.Tests.Hosting;

/// <summary>
/// Spans and metrics through a hosted worker on the memory broker. Listeners are process-wide, so
/// each test samples and counts only tasks whose names carry its own unique marker.
/// </summary>
public sealed class TelemetryTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cadasta-telemetry-").FullName;
    private readonly string _marker = Guid.NewGuid().ToString("N")[..12];

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private string Name(string task) => $"msg.{task}_{_marker}";

    private bool IsMine(IEnumerable<KeyValuePair<string, object?>> tags) =>
        tags.Any(t => t.Key == "cadasta.task.name" && t.Value is string name && name.EndsWith(_marker, StringComparison.Ordinal));

    private IHost BuildHost(Action<TaskRegistry> register)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddCadastaWorker(options =>
        {
            options.Environment = new Dictionary<string, string>();
            options.Settings["broker_url"] = "memory://";
            options.Settings["result_backend"] = $"db+sqlite:///{Path.Combine(_folder, "results.db")}";
            register(options.Tasks);
            options.ConfigureWorker = worker => worker with { Concurrency = 1 };
        });
        return builder.Build();
    }

    [Fact]
    public async Task A_trace_follows_a_chain_from_the_producer_through_the_worker_and_its_follow_up()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == CadastaTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                IsMine(options.Tags ?? []) ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var seenByTask = new ConcurrentDictionary<string, string?>();
        using var host = BuildHost(tasks => tasks
            .Register(Name("first"), (long x) => { seenByTask["first"] = Activity.Current?.SpanId.ToHexString(); return x + 1; })
            .Register(Name("second"), (long x) => { seenByTask["second"] = Activity.Current?.SpanId.ToHexString(); return x * 10; }));
        await host.StartAsync();

        using var root = new Activity("test-root").SetIdFormat(ActivityIdFormat.W3C).Start();
        var id = await host.Services.GetRequiredService<TaskProducer>().SendAsync(
            Signature.Chain(Signature.Create(Name("first"), [4L]), Signature.Create(Name("second"))));
        root.Stop();
        var result = await new AsyncResult(id, host.Services.GetRequiredService<IResultStore>())
            .WaitAsync(TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
        await host.StopAsync();
        Assert.Equal(50L, result.Value);

        var spans = stopped.ToList();
        var publishFirst = Assert.Single(spans, s => s.DisplayName == $"{Name("first")} publish");
        var executeFirst = Assert.Single(spans, s => s.DisplayName == $"{Name("first")} execute");
        var publishSecond = Assert.Single(spans, s => s.DisplayName == $"{Name("second")} publish");
        var executeSecond = Assert.Single(spans, s => s.DisplayName == $"{Name("second")} execute");

        Assert.All(spans, s => Assert.Equal(root.TraceId, s.TraceId));
        Assert.Equal(ActivityKind.Producer, publishFirst.Kind);
        Assert.Equal(ActivityKind.Consumer, executeFirst.Kind);
        Assert.Equal(root.SpanId, publishFirst.ParentSpanId);
        Assert.Equal(publishFirst.SpanId, executeFirst.ParentSpanId);
        Assert.Equal(executeFirst.SpanId, publishSecond.ParentSpanId);
        Assert.Equal(publishSecond.SpanId, executeSecond.ParentSpanId);
        Assert.True(executeFirst.HasRemoteParent);
        Assert.Equal(executeFirst.SpanId.ToHexString(), seenByTask["first"]);
        Assert.Equal(executeSecond.SpanId.ToHexString(), seenByTask["second"]);
    }

    [Fact]
    public async Task Without_a_listener_no_trace_header_is_added()
    {
        var broker = new Cadasta.WorkerToolbox.Transports.Memory.MemoryBroker();
        var config = new Cadasta.WorkerToolbox.Configuration.Config(
            new Dictionary<string, object?> { ["broker_url"] = "memory://" }, new Dictionary<string, string>());
        await using var transport = Cadasta.WorkerToolbox.Transports.TransportFactory.Create(config, broker);
        var producer = new TaskProducer(config, transport);
        await producer.SendTaskAsync(Name("plain"));

        await using var consumer = await transport.ConsumeAsync(["msg"], 0);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var delivery = await consumer.Deliveries.ReadAsync(timeout.Token);
        Assert.Equal(Name("plain"), delivery.Message.Headers["task"]);
        Assert.False(delivery.Message.Headers.ContainsKey("traceparent"));
    }

    [Fact]
    public async Task Metrics_count_received_succeeded_failed_retried_and_record_run_times()
    {
        var counts = new ConcurrentDictionary<string, long>();
        var runTimes = new ConcurrentQueue<double>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == CadastaTelemetry.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (IsMine(tags.ToArray()))
            {
                counts.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value);
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (IsMine(tags.ToArray()) && instrument.Name == "cadasta.worker.task.run_time")
            {
                runTimes.Enqueue(value);
            }
        });
        listener.Start();
        using var host = BuildHost(tasks => tasks
            .Register(Name("ok"), () => "fine")
            .Register(Name("bad"), string () => throw new InvalidOperationException("no"))
            .Register(Name("again"), (TaskContext context) => context.Retries == 0 ? throw context.Retry(TimeSpan.Zero) : "second time"));
        await host.StartAsync();
        var producer = host.Services.GetRequiredService<TaskProducer>();
        var store = host.Services.GetRequiredService<IResultStore>();
        foreach (var task in new[] { "ok", "bad", "again" })
        {
            var id = await producer.SendTaskAsync(Name(task));
            var outcome = await new AsyncResult(id, store).WaitAsync(TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
            Assert.True(outcome.State is TaskStates.Success or TaskStates.Failure, outcome.State);
        }

        await host.StopAsync();

        Assert.Equal(4, counts.GetValueOrDefault("cadasta.worker.tasks.received"));
        Assert.Equal(2, counts.GetValueOrDefault("cadasta.worker.tasks.succeeded"));
        Assert.Equal(1, counts.GetValueOrDefault("cadasta.worker.tasks.failed"));
        Assert.Equal(1, counts.GetValueOrDefault("cadasta.worker.tasks.retried"));
        Assert.Equal(4, runTimes.Count);
        Assert.All(runTimes, seconds => Assert.True(seconds >= 0));
    }
}
