using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Cadasta.WorkerToolbox.IntegrationTests.Worker;
using Cadasta.WorkerToolbox.Producing;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Worker;
using Microsoft.Extensions.Time.Testing;

namespace Cadasta.WorkerToolbox.IntegrationTests.Telemetry;

/// <summary>
/// Trace context and queue latency between our side and real Celery 5.2 (tests/interop/peer.py) on
/// one broker. Python's side of the trace context is what opentelemetry-instrumentation-celery does
/// (not installable here; its source read): on <c>before_task_publish</c> it injects <c>traceparent</c>
/// into the message headers, and on <c>task_prerun</c> it reads it with <c>getattr(task.request, key)</c>.
/// The peer does exactly those two things. Listeners are process-wide: this class samples only its
/// own trace ids and its own task names (a marker per class instance).
/// </summary>
public abstract class TelemetryCeleryInteropSuite : IDisposable
{
    private const string Timeout = "60";
    private readonly InteropBroker _broker;
    private readonly string _marker = Guid.NewGuid().ToString("N")[..12];
    private readonly ConcurrentDictionary<ActivityTraceId, byte> _traces = new();
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ConcurrentQueue<(string Task, double Seconds)> _latencies = new();
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters = new();

    /// <param name="broker">The broker namespace, result database and Python peer of the class.</param>
    /// <param name="brokerRecordsSentTime">Whether the broker stamps each message with its own sent time (SQS: SentTimestamp; RabbitMQ: no).</param>
    protected TelemetryCeleryInteropSuite(InteropBroker broker, bool brokerRecordsSentTime)
    {
        _broker = broker;
        BrokerRecordsSentTime = brokerRecordsSentTime;
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == CadastaTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                _traces.ContainsKey(options.TraceId) ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_activities);
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == CadastaTelemetry.MeterName && instrument.Name == "cadasta.worker.task.queue_latency")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "cadasta.task.name" && tag.Value is string name && name.EndsWith(_marker, StringComparison.Ordinal))
                {
                    _latencies.Enqueue((name, value));
                }
            }
        });
        _meters.Start();
    }

    /// <summary>Whether the broker stamps each message with its own sent time (SQS: SentTimestamp; RabbitMQ: no).</summary>
    protected bool BrokerRecordsSentTime { get; }

    private string Probe => $"msg.probe_{_marker}";

    public void Dispose()
    {
        _activities.Dispose();
        _meters.Dispose();
    }

    [Fact]
    public async Task A_traceparent_a_python_producer_injects_is_the_parent_of_our_execute_span()
    {
        await using var worker = await OurWorkerAsync();
        var trace = ActivityTraceId.CreateRandom();
        var parent = ActivitySpanId.CreateRandom();
        _traces[trace] = 0;

        var sent = await _broker.Peer.RunAsync("send", Probe, "--traceparent", $"00-{trace.ToHexString()}-{parent.ToHexString()}-01");
        var outcome = await _broker.Peer.RunAsync("get", (string)sent!["id"]!, "--timeout", Timeout);

        Assert.Equal("SUCCESS", (string?)outcome!["status"]);
        // The task's own code ran inside the span (Activity.Current), so the trace reached the task.
        Assert.Equal(trace.ToHexString(), (string?)outcome["result"]);
        var execute = Assert.Single(_spans, s => s.DisplayName == $"{Probe} execute");
        Assert.Equal(ActivityKind.Consumer, execute.Kind);
        Assert.Equal(trace, execute.TraceId);
        Assert.Equal(parent, execute.ParentSpanId);
        Assert.True(execute.HasRemoteParent);

        // Kombu sends no sent time of its own: only a broker that records one gives a latency sample.
        var samples = _latencies.Where(l => l.Task == Probe).ToList();
        if (BrokerRecordsSentTime)
        {
            Assert.True(Assert.Single(samples).Seconds >= 0);
        }
        else
        {
            Assert.Empty(samples);
        }
    }

    [Fact]
    public async Task Our_publish_span_reaches_a_python_task_where_celerys_instrumentation_reads_it()
    {
        await _broker.PythonWorkerAsync();
        var config = _broker.Config();
        await using var transport = InteropBroker.CreateTransport(config);
        await using var results = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = _broker.ResultBackend });
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 9, 30, 15, 250, TimeSpan.Zero));
        var producer = new TaskProducer(config, transport, clock);

        using var root = new Activity("test-root").SetIdFormat(ActivityIdFormat.W3C);
        root.TraceStateString = "cadasta=interop";
        _traces[root.Start().TraceId] = 0;
        var id = await producer.SendTaskAsync("py.trace_context");
        root.Stop();

        var seen = Assert.IsType<Dictionary<string, object?>>(
            await new AsyncResult(id, results).GetAsync(TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100)));
        var publish = Assert.Single(_spans, s => s.DisplayName == "py.trace_context publish");
        Assert.Equal(root.TraceId, publish.TraceId);
        Assert.Equal(publish.Id, seen["prerun_traceparent"]);
        Assert.Equal(publish.Id, seen["request_traceparent"]);
        Assert.Equal("cadasta=interop", seen["prerun_tracestate"]);
        // The Celery worker ran a message carrying our sent-at header; it kept it in task.request, untouched.
        Assert.Equal(clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0, seen["x-cadasta-sent-at"]);
    }

    [Fact]
    public async Task The_queue_latency_of_our_own_messages_comes_from_the_best_sent_time_the_broker_gives()
    {
        await using var worker = await OurWorkerAsync();
        var config = _broker.Config();
        await using var transport = InteropBroker.CreateTransport(config);
        await using var results = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = _broker.ResultBackend });
        // A producer whose clock is an hour behind: its header says the message waited an hour.
        var producer = new TaskProducer(config, transport, new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1)));

        var id = await producer.SendTaskAsync(Probe);
        await new AsyncResult(id, results).GetAsync(TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));

        var latency = Assert.Single(_latencies, l => l.Task == Probe).Seconds;
        if (BrokerRecordsSentTime)
        {
            // SQS's own SentTimestamp wins over the producer's header.
            Assert.True(latency < 3600, $"latency {latency} s: SQS's SentTimestamp should have been used, not the header an hour back");
        }
        else
        {
            Assert.True(latency >= 3600, $"latency {latency} s: the x-cadasta-sent-at header an hour back should have been used");
        }
    }

    /// <summary>Runs our worker on the msg queue with the probe task.</summary>
    protected async Task<IAsyncDisposable> OurWorkerAsync()
    {
        var config = _broker.Config();
        var transport = InteropBroker.CreateTransport(config);
        var results = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = _broker.ResultBackend });
        await results.EnsureSchemaAsync();
        var registry = new TaskRegistry().Register(Probe, () => Activity.Current?.TraceId.ToHexString() ?? "no trace");
        var worker = new TaskWorker(
            registry, transport, results, new TaskProducer(config, transport),
            WorkerOptions.FromConfig(config) with { Concurrency = 2, Queues = ["msg"] });
        await worker.StartAsync();
        return new OurWorker(worker, results, transport);
    }

    /// <summary>Sends the probe task from Python with arguments of <c>peer.py send</c>, waits for it, returns its latency samples.</summary>
    protected async Task<IReadOnlyList<double>> SendProbeFromPythonAsync(params string[] options)
    {
        var sent = await _broker.Peer.RunAsync(["send", Probe, .. options]);
        var outcome = await _broker.Peer.RunAsync("get", (string)sent!["id"]!, "--timeout", Timeout);
        Assert.Equal("SUCCESS", (string?)outcome!["status"]);
        return _latencies.Where(l => l.Task == Probe).Select(l => l.Seconds).ToList();
    }

    private sealed class OurWorker(TaskWorker worker, DatabaseResultStore results, ITransport transport) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await worker.StopAsync(TimeSpan.FromSeconds(10));
            await worker.DisposeAsync();
            await results.DisposeAsync();
            await transport.DisposeAsync();
        }
    }
}
