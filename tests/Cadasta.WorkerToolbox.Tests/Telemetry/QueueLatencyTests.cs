using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Tests.Worker.Harness;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Worker;

namespace Cadasta.WorkerToolbox.Tests.Telemetry;

/// <summary>
/// The histogram <c>cadasta.worker.task.queue_latency</c>: from which sent time (broker record,
/// our header, the AMQP timestamp property, the ETA), and no sample when none is known. Listeners are
/// process-wide, so each test keeps only the samples of task names carrying its own marker.
/// </summary>
public sealed class QueueLatencyTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private readonly string _marker = Guid.NewGuid().ToString("N")[..12];
    private readonly ConcurrentQueue<(string Task, double Seconds)> _samples = new();
    private readonly MeterListener _listener = new();

    public QueueLatencyTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == CadastaTelemetry.MeterName && instrument.Name == "cadasta.worker.task.queue_latency")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "cadasta.task.name" && tag.Value is string name && name.EndsWith(_marker, StringComparison.Ordinal))
                {
                    _samples.Enqueue((name, value));
                }
            }
        });
        _listener.Start();
    }

    public void Dispose() => _listener.Dispose();

    private string Name(string task) => $"msg.{task}_{_marker}";

    private double SingleSample(string task) => Assert.Single(_samples, s => s.Task == Name(task)).Seconds;

    private void Record(string task, TransportMessage message, DateTimeOffset? brokerSentAt = null, DateTimeOffset? eta = null) =>
        WorkerTelemetry.RecordQueueLatency(Name(task), eta, new StubDelivery(message) { SentAt = brokerSentAt }, Now);

    private static TransportMessage Message(Dictionary<string, object?>? headers = null, Dictionary<string, object?>? properties = null) => new()
    {
        Body = "[[], {}, {}]"u8.ToArray(),
        Headers = headers ?? [],
        Properties = properties ?? [],
    };

    private static Dictionary<string, object?> SentHeader(object? value) => new() { ["x-cadasta-sent-at"] = value };

    [Fact]
    public void Our_header_gives_the_time_since_the_send_with_milliseconds()
    {
        Record("header", Message(SentHeader(WorkerTelemetry.EpochSeconds(Now.AddMilliseconds(-2750)))));

        Assert.Equal(2.75, SingleSample("header"), 6);
    }

    [Fact]
    public void The_broker_record_wins_over_our_header_and_the_header_over_the_amqp_timestamp()
    {
        var headerAndProperty = Message(SentHeader(WorkerTelemetry.EpochSeconds(Now.AddSeconds(-5))), new() { ["timestamp"] = Now.AddSeconds(-60).ToUnixTimeSeconds() });
        Record("broker", headerAndProperty, brokerSentAt: Now.AddSeconds(-1.5));
        Record("header", headerAndProperty);
        Record("property", Message(properties: new() { ["timestamp"] = Now.AddSeconds(-60).ToUnixTimeSeconds() }));

        Assert.Equal(1.5, SingleSample("broker"), 6);
        Assert.Equal(5, SingleSample("header"), 6);
        Assert.Equal(60, SingleSample("property"), 6);
    }

    [Fact]
    public void No_sent_time_gives_no_sample_and_neither_does_a_header_that_is_no_time()
    {
        Record("none", Message());
        Record("text", Message(SentHeader("yesterday")));
        Record("zero", Message(SentHeader(0.0)));
        Record("negative", Message(SentHeader(-5L)));
        Record("null", Message(SentHeader(null)));
        Record("infinite", Message(SentHeader(double.PositiveInfinity)));

        Assert.Empty(_samples);
    }

    [Fact]
    public void An_eta_task_is_measured_from_its_eta_not_from_its_send()
    {
        var sentLongAgo = Message(SentHeader(WorkerTelemetry.EpochSeconds(Now.AddHours(-1))));
        Record("due", sentLongAgo, eta: Now.AddSeconds(-0.25));
        // An ETA already past when the task was sent: it could not start before the send.
        Record("past-eta", Message(SentHeader(WorkerTelemetry.EpochSeconds(Now.AddSeconds(-2)))), eta: Now.AddHours(-3));
        // The ETA alone is a known start: the task could not run before it.
        Record("eta-only", Message(), eta: Now.AddSeconds(-4));

        Assert.Equal(0.25, SingleSample("due"), 6);
        Assert.Equal(2, SingleSample("past-eta"), 6);
        Assert.Equal(4, SingleSample("eta-only"), 6);
    }

    [Fact]
    public void A_sender_clock_ahead_of_ours_gives_zero_not_a_negative_latency()
    {
        Record("ahead", Message(SentHeader(WorkerTelemetry.EpochSeconds(Now.AddSeconds(3)))));

        Assert.Equal(0, SingleSample("ahead"));
    }

    [Fact]
    public async Task Our_producer_stamps_every_message_with_its_clock_in_epoch_seconds()
    {
        await using var harness = new WorkerHarness();
        harness.Time.Advance(TimeSpan.FromMilliseconds(123));
        await harness.Producer.SendTaskAsync(Name("stamped"));

        await using var consumer = await harness.Transport.ConsumeAsync(["msg"], 0);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var delivery = await consumer.Deliveries.ReadAsync(timeout.Token);
        var stamp = Assert.IsType<double>(delivery.Message.Headers["x-cadasta-sent-at"]);
        Assert.Equal(WorkerHarness.Start.AddMilliseconds(123).ToUnixTimeMilliseconds() / 1000.0, stamp);
        Assert.Equal(WorkerHarness.Start.AddMilliseconds(123), WorkerTelemetry.SentAt(delivery));
    }

    [Fact]
    public async Task The_worker_records_the_wait_between_send_and_start_on_its_clock()
    {
        await using var harness = new WorkerHarness();
        harness.Registry.Register(Name("queued"), () => "done");
        harness.Registry.Register(Name("later"), () => "done");
        harness.Registry.Register(Name("unstamped"), () => "done");

        var queued = await harness.Producer.SendTaskAsync(Name("queued"));
        // Sent with a 10 s countdown: its wait is counted from the ETA, not from the send.
        var later = await harness.Producer.SendTaskAsync(Name("later"), options: new TaskOptions { Countdown = TimeSpan.FromSeconds(10) });
        // Published without our header (as a Python producer on RabbitMQ does): no sample.
        var unstamped = await harness.PublishAsync(Name("unstamped"));
        harness.Time.Advance(TimeSpan.FromSeconds(3));
        await harness.StartAsync();

        await harness.WaitForStateAsync(queued, "SUCCESS");
        await harness.WaitForStateAsync(unstamped, "SUCCESS");
        Assert.Equal(3, SingleSample("queued"), 6);
        Assert.DoesNotContain(_samples, s => s.Task == Name("later") || s.Task == Name("unstamped"));

        // 12 s after the send, 2 s past its ETA, in one step: the held task runs now.
        harness.Time.Advance(TimeSpan.FromSeconds(9));
        await harness.WaitForStateAsync(later, "SUCCESS");
        Assert.Equal(2, SingleSample("later"), 6);
    }

    private sealed class StubDelivery(TransportMessage message) : Delivery(message, "msg", "task_exchange", "msg", redelivered: false)
    {
        protected override Task AckCoreAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        protected override Task RejectCoreAsync(bool requeue, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
