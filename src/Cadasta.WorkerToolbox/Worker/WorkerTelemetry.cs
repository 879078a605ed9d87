using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// The toolbox's spans and metrics (names in <see cref="CadastaTelemetry"/>). The trace context
/// travels in the message header <c>traceparent</c> (and <c>tracestate</c>), W3C format; it is added
/// only while a listener records the publish span, so without tracing the messages are unchanged.
/// The source and meter are process-wide by design of System.Diagnostics: listeners subscribe by name.
/// Queue latency is measured from the best sent time a delivery has (see <see cref="SentAt"/>); a
/// Celery message carries none of its own, so every message we publish gets the header
/// <see cref="SentAtHeader"/> (Celery puts unknown headers in <c>task.request</c> and ignores them).
/// </summary>
internal static class WorkerTelemetry
{
    public const string TraceParentHeader = "traceparent";
    public const string TraceStateHeader = "tracestate";

    /// <summary>When our producer published the message: Unix epoch seconds as a float (millisecond precision).</summary>
    public const string SentAtHeader = "x-cadasta-sent-at";

    /// <summary>The AMQP basic property <c>timestamp</c> (whole Unix seconds) as our AMQP transport maps it.</summary>
    public const string TimestampProperty = "timestamp";
    public const string TaskNameTag = "cadasta.task.name";
    public const string TaskIdTag = "cadasta.task.id";

    public static readonly ActivitySource Source = new(CadastaTelemetry.ActivitySourceName);

    private static readonly Meter Meter = new(CadastaTelemetry.MeterName);

    public static readonly Counter<long> Received = Meter.CreateCounter<long>("cadasta.worker.tasks.received", "{task}", "Tasks received by the worker.");

    public static readonly Counter<long> Succeeded = Meter.CreateCounter<long>("cadasta.worker.tasks.succeeded", "{task}", "Tasks that succeeded.");

    public static readonly Counter<long> Failed = Meter.CreateCounter<long>("cadasta.worker.tasks.failed", "{task}", "Tasks that failed.");

    public static readonly Counter<long> Retried = Meter.CreateCounter<long>("cadasta.worker.tasks.retried", "{task}", "Tasks that asked for a retry.");

    public static readonly Histogram<double> RunTime = Meter.CreateHistogram<double>("cadasta.worker.task.run_time", "s", "How long tasks ran.");

    public static readonly Histogram<double> QueueLatency = Meter.CreateHistogram<double>(
        "cadasta.worker.task.queue_latency", "s", "How long tasks waited between being sent (or due, for an ETA) and starting.");

    public static KeyValuePair<string, object?> TaskTag(string taskName) => new(TaskNameTag, taskName);

    /// <summary>
    /// Starts the publish span (null when nobody listens) and returns the message to send: with the
    /// <see cref="SentAtHeader"/> always, and with the trace context when the span is recorded.
    /// </summary>
    public static (Activity? Activity, TransportMessage Message) StartPublish(
        string taskName, string taskId, string exchange, string routingKey, TransportMessage message, DateTimeOffset sentAt)
    {
        var activity = Source.StartActivity(
            $"{taskName} publish",
            ActivityKind.Producer,
            parentContext: default,
            tags: [TaskTag(taskName), new(TaskIdTag, taskId), new("messaging.destination.name", exchange), new("messaging.rabbitmq.destination.routing_key", routingKey)]);
        var headers = new Dictionary<string, object?>(message.Headers, StringComparer.Ordinal) { [SentAtHeader] = EpochSeconds(sentAt) };
        if (activity is not null && activity.Recorded && activity.IdFormat == ActivityIdFormat.W3C)
        {
            headers[TraceParentHeader] = activity.Id;
            if (!string.IsNullOrEmpty(activity.TraceStateString))
            {
                headers[TraceStateHeader] = activity.TraceStateString;
            }
        }

        return (activity, new TransportMessage
        {
            Body = message.Body,
            ContentType = message.ContentType,
            ContentEncoding = message.ContentEncoding,
            Headers = headers,
            Properties = message.Properties,
        });
    }

    /// <summary>Starts the execute span, child of the publish span named by the message's <c>traceparent</c> (null when nobody listens).</summary>
    public static Activity? StartExecute(string taskName, string taskId, IReadOnlyDictionary<string, object?> headers)
    {
        var parent = headers.GetValueOrDefault(TraceParentHeader) is string traceParent
            && ActivityContext.TryParse(traceParent, headers.GetValueOrDefault(TraceStateHeader) as string, isRemote: true, out var context)
                ? context
                : default;
        return Source.StartActivity($"{taskName} execute", ActivityKind.Consumer, parent, tags: [TaskTag(taskName), new(TaskIdTag, taskId)]);
    }

    /// <summary>
    /// Records how long the task waited before it started at <paramref name="now"/>: from its ETA when
    /// it has one (from the sent time if that is later), else from the sent time. No sample when
    /// neither is known. Producer and broker clocks may run ahead of ours: never below zero.
    /// </summary>
    public static void RecordQueueLatency(string taskName, DateTimeOffset? eta, Delivery delivery, DateTimeOffset now)
    {
        var sent = SentAt(delivery);
        DateTimeOffset? from = (eta, sent) switch
        {
            ({ } due, { } sentAt) => due > sentAt ? due : sentAt,
            ({ } due, null) => due,
            (null, { } sentAt) => sentAt,
            _ => null,
        };
        if (from is { } start && QueueLatency.Enabled)
        {
            QueueLatency.Record(Math.Max(0, (now - start).TotalSeconds), TaskTag(taskName));
        }
    }

    /// <summary>
    /// When the message was sent, from the best source the delivery has: the broker's own record
    /// (<see cref="Delivery.SentAt"/>: SQS's <c>SentTimestamp</c>, milliseconds), else our producer's
    /// <see cref="SentAtHeader"/> (milliseconds), else the AMQP <c>timestamp</c> property (whole seconds,
    /// set by some producers and by RabbitMQ's message-timestamp plugin); null when none is there.
    /// </summary>
    public static DateTimeOffset? SentAt(Delivery delivery)
    {
        if (delivery.SentAt is { } brokerTime)
        {
            return brokerTime;
        }

        if (FromEpochSeconds(delivery.Message.Headers.GetValueOrDefault(SentAtHeader)) is { } producerTime)
        {
            return producerTime;
        }

        return FromEpochSeconds(delivery.Message.Properties.GetValueOrDefault(TimestampProperty));
    }

    /// <summary>Unix epoch seconds with millisecond precision, as the header carries them.</summary>
    public static double EpochSeconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;

    private static DateTimeOffset? FromEpochSeconds(object? value)
    {
        var seconds = value switch
        {
            double number => number,
            long number => number,
            string text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => double.NaN,
        };

        // Anything that is not a plausible time (0, negative, beyond year 9999) is no sent time.
        const double MaxSeconds = 253_402_300_799;
        return double.IsFinite(seconds) && seconds > 0 && seconds <= MaxSeconds
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000))
            : null;
    }

    /// <summary>Marks the current execute span failed, if there is one.</summary>
    public static void MarkFailed(string description)
    {
        if (Activity.Current is { } activity && activity.Source == Source && activity.Kind == ActivityKind.Consumer)
        {
            activity.SetStatus(ActivityStatusCode.Error, description);
        }
    }
}
