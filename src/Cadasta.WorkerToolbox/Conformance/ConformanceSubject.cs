using Cadasta.WorkerToolbox.Routing;

namespace Cadasta.WorkerToolbox.Conformance;

/// <summary>What the conformance checks examine: a worker's routing settings, as plain values.</summary>
public sealed class ConformanceSubject
{
    /// <summary>Gathers the settings to check.</summary>
    /// <param name="topology">The declared exchanges, queues and bindings (Celery's <c>task_queues</c>).</param>
    /// <param name="routers">The task routers in order (Celery's <c>task_routes</c>); the first route given wins.</param>
    /// <param name="defaultExchange">The default exchange's name (<c>task_default_exchange</c>).</param>
    /// <param name="defaultQueue">The default queue's name (<c>task_default_queue</c>).</param>
    /// <param name="platformQueue">The platform queue's name (<c>PLATFORM_QUEUE_NAME</c>).</param>
    /// <param name="serviceQueues">The service queues (<c>QUEUES</c>).</param>
    /// <param name="chordUnlockMaxRetries">The <c>celery.chord_unlock</c> task's max retries, as configured (any CLR value).</param>
    public ConformanceSubject(
        Topology topology,
        IReadOnlyList<ITaskRouter> routers,
        string defaultExchange,
        string defaultQueue,
        string platformQueue,
        IReadOnlyList<string> serviceQueues,
        object? chordUnlockMaxRetries)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(routers);
        ArgumentNullException.ThrowIfNull(defaultExchange);
        ArgumentNullException.ThrowIfNull(defaultQueue);
        ArgumentNullException.ThrowIfNull(platformQueue);
        ArgumentNullException.ThrowIfNull(serviceQueues);
        Topology = topology;
        Routers = routers;
        DefaultExchange = defaultExchange;
        DefaultQueue = defaultQueue;
        PlatformQueue = platformQueue;
        ServiceQueues = serviceQueues;
        ChordUnlockMaxRetries = chordUnlockMaxRetries;
    }

    /// <summary>The declared exchanges, queues and bindings.</summary>
    public Topology Topology { get; }

    /// <summary>The task routers in order.</summary>
    public IReadOnlyList<ITaskRouter> Routers { get; }

    /// <summary>The default exchange's name.</summary>
    public string DefaultExchange { get; }

    /// <summary>The default queue's name.</summary>
    public string DefaultQueue { get; }

    /// <summary>The platform queue's name.</summary>
    public string PlatformQueue { get; }

    /// <summary>The service queues.</summary>
    public IReadOnlyList<string> ServiceQueues { get; }

    /// <summary>The <c>celery.chord_unlock</c> task's max retries.</summary>
    public object? ChordUnlockMaxRetries { get; }
}
