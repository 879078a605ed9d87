namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// The names to subscribe to for the toolbox's traces and metrics (for example OpenTelemetry's
/// <c>AddSource(CadastaTelemetry.ActivitySourceName)</c> and <c>AddMeter(CadastaTelemetry.MeterName)</c>).
/// Spans: <c>{task} publish</c> (producer) and <c>{task} execute</c> (consumer), joined by the W3C
/// <c>traceparent</c> message header. Metrics: the counters <c>cadasta.worker.tasks.received</c>,
/// <c>.succeeded</c>, <c>.failed</c>, <c>.retried</c> and the histograms <c>cadasta.worker.task.run_time</c>
/// and <c>cadasta.worker.task.queue_latency</c> (seconds), each tagged with <c>cadasta.task.name</c>.
/// </summary>
public static class CadastaTelemetry
{
    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> of publish and execute spans.</summary>
    public const string ActivitySourceName = "Cadasta.WorkerToolbox";

    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> of the worker's metrics.</summary>
    public const string MeterName = "Cadasta.WorkerToolbox";
}
