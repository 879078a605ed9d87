using System.Diagnostics;
using System.Diagnostics.Metrics;
using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// The toolbox's spans and metrics (names in <see cref="CadastaTelemetry"/>). The trace context
/// travels in the message header <c>traceparent</c> (and <c>tracestate</c>), W3C format; it is added
/// only while a listener records the publish span, so without tracing the messages are unchanged.
/// The source and meter are process-wide by design of System.Diagnostics: listeners subscribe by name.
/// </summary>
internal static class WorkerTelemetry
{
    public const string TraceParentHeader = "traceparent";
    public const string TraceStateHeader = "tracestate";
    public const string TaskNameTag = "cadasta.task.name";
    public const string TaskIdTag = "cadasta.task.id";

    public static readonly ActivitySource Source = new(CadastaTelemetry.ActivitySourceName);

    private static readonly Meter Meter = new(CadastaTelemetry.MeterName);

    public static readonly Counter<long> Received = Meter.CreateCounter<long>("cadasta.worker.tasks.received", "{task}", "Tasks received by the worker.");

    public static readonly Counter<long> Succeeded = Meter.CreateCounter<long>("cadasta.worker.tasks.succeeded", "{task}", "Tasks that succeeded.");

    public static readonly Counter<long> Failed = Meter.CreateCounter<long>("cadasta.worker.tasks.failed", "{task}", "Tasks that failed.");

    public static readonly Counter<long> Retried = Meter.CreateCounter<long>("cadasta.worker.tasks.retried", "{task}", "Tasks that asked for a retry.");

    public static readonly Histogram<double> RunTime = Meter.CreateHistogram<double>("cadasta.worker.task.run_time", "s", "How long tasks ran.");

    public static KeyValuePair<string, object?> TaskTag(string taskName) => new(TaskNameTag, taskName);

    /// <summary>Starts the publish span (null when nobody listens) and returns the message to send, with the trace context when recorded.</summary>
    public static (Activity? Activity, TransportMessage Message) StartPublish(string taskName, string taskId, string exchange, string routingKey, TransportMessage message)
    {
        var activity = Source.StartActivity(
            $"{taskName} publish",
            ActivityKind.Producer,
            parentContext: default,
            tags: [TaskTag(taskName), new(TaskIdTag, taskId), new("messaging.destination.name", exchange), new("messaging.rabbitmq.destination.routing_key", routingKey)]);
        if (activity is null || !activity.Recorded || activity.IdFormat != ActivityIdFormat.W3C)
        {
            return (activity, message);
        }

        var headers = new Dictionary<string, object?>(message.Headers, StringComparer.Ordinal) { [TraceParentHeader] = activity.Id };
        if (!string.IsNullOrEmpty(activity.TraceStateString))
        {
            headers[TraceStateHeader] = activity.TraceStateString;
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

    /// <summary>Marks the current execute span failed, if there is one.</summary>
    public static void MarkFailed(string description)
    {
        if (Activity.Current is { } activity && activity.Source == Source && activity.Kind == ActivityKind.Consumer)
        {
            activity.SetStatus(ActivityStatusCode.Error, description);
        }
    }
}
