using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Routing;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cadasta.WorkerToolbox.Producing;

/// <summary>
/// Sends tasks as Celery's <c>apply_async</c>/<c>send_task</c> do: plans the messages of a task or
/// canvas (the protocol's <see cref="TaskPlanner"/>), routes each by the configuration's routers
/// (the first segment of the name, on the default exchange), encodes and publishes it through the
/// transport — so the platform queue gets its copy. The topology is declared once, lazily,
/// before the first publish (the toolbox's <c>setup_app</c>).
/// </summary>
public sealed partial class TaskProducer : ITaskSender
{
    private readonly ITransport _transport;
    private readonly Topology _topology;
    private readonly ITaskRouter _router;
    private readonly TaskPlanner _planner;
    private readonly ProducerIdentity _identity;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _setupGate = new();
    private Task? _setup;

    /// <summary>Creates a producer for the configuration's topology and routes.</summary>
    /// <param name="config">The configuration (queues, exchange, routers).</param>
    /// <param name="transport">The broker connection to publish through.</param>
    /// <param name="timeProvider">The clock for countdowns and expiry; the system clock when null.</param>
    /// <param name="logger">The logger; none when null.</param>
    public TaskProducer(Config config, ITransport transport, TimeProvider? timeProvider = null, ILogger<TaskProducer>? logger = null)
        : this(
            (config ?? throw new ArgumentNullException(nameof(config))).CreateTopology(),
            new ConfigRouter(config),
            transport,
            timeProvider,
            logger)
    {
    }

    /// <summary>Creates a producer for an explicit topology and router.</summary>
    /// <param name="topology">What to declare before the first publish.</param>
    /// <param name="router">Where each task goes.</param>
    /// <param name="transport">The broker connection to publish through.</param>
    /// <param name="timeProvider">The clock for countdowns and expiry; the system clock when null.</param>
    /// <param name="logger">The logger; none when null.</param>
    internal TaskProducer(Topology topology, ITaskRouter router, ITransport transport, TimeProvider? timeProvider, ILogger<TaskProducer>? logger)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(transport);
        _topology = topology;
        _router = router;
        _transport = transport;
        _identity = ProducerIdentity.ForCurrentProcess();
        _time = timeProvider ?? TimeProvider.System;
        _planner = new TaskPlanner(_time, _identity, router);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Whether a failed set-up makes the publish fail (true, the default) or is only logged.</summary>
    public bool ThrowOnSetupFailure { get; init; } = true;

    /// <summary>The topology this producer declares.</summary>
    public Topology Topology => _topology;

    /// <summary>Sends the task <paramref name="taskName"/>; returns its id.</summary>
    /// <param name="taskName">The task name, for example <c>export.project</c>.</param>
    /// <param name="args">Positional arguments (JSON-like values).</param>
    /// <param name="kwargs">Keyword arguments (JSON-like values).</param>
    /// <param name="options">apply_async options (countdown, eta, expires, custom properties...).</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    public Task<string> SendTaskAsync(
        string taskName,
        IEnumerable<object?>? args = null,
        IEnumerable<KeyValuePair<string, object?>>? kwargs = null,
        Protocol.TaskOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var signature = Signature.Create(taskName, args, kwargs);
        return SendAsync(options is null ? signature : signature.WithOptions(options), cancellationToken);
    }

    /// <summary>
    /// Sends a signature (a task, chain, group or chord) and returns the id of the task that carries
    /// its result: the task's own, a chain's last task, a chord's body, a group's id.
    /// </summary>
    /// <param name="signature">What to send.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    public Task<string> SendAsync(Signature signature, CancellationToken cancellationToken = default) =>
        SendAsync(signature, lineage: null, cancellationToken);

    /// <summary>Declares the exchange, queues and bindings once (the toolbox's <c>setup_app</c>).</summary>
    /// <param name="cancellationToken">Cancels the declaration.</param>
    public Task EnsureSetupAsync(CancellationToken cancellationToken = default)
    {
        Task setup;
        lock (_setupGate)
        {
            // A failed or cancelled set-up is tried again by the next publish.
            if (_setup is null || _setup.IsFaulted || _setup.IsCanceled)
            {
                _setup = SetupAsync();
            }

            setup = _setup;
        }

        return setup.WaitAsync(cancellationToken);
    }

    private async Task SetupAsync()
    {
        try
        {
            await _transport.DeclareAsync(_topology, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception error) when (!ThrowOnSetupFailure)
        {
            LogSetupFailed(_logger, error, error.Message);
        }
    }

    async Task<string> ITaskSender.SendSignatureAsync(IReadOnlyDictionary<string, object?> signature, FollowupSend send, CancellationToken cancellationToken)
    {
        var parsed = Signature.FromDictionary(signature);
        if (send.PrependArgs is { } prepend)
        {
            parsed = parsed.SubtaskType == Signature.GroupType
                ? Signature.Group(parsed.Tasks.Select(t => t.WithPartialArgs(prepend))).With(options: parsed.Options)
                : parsed.WithPartialArgs(prepend);
        }

        if (send.Chain is not null)
        {
            parsed = parsed.WithOption("chain", send.Chain.Cast<object?>().ToList());
        }

        var lineage = send.ParentId is null ? (TaskLineage?)null : new TaskLineage(send.ParentId, send.RootId ?? send.ParentId);
        return await SendAsync(parsed, lineage, cancellationToken).ConfigureAwait(false);
    }

    async Task ITaskSender.SendMessageAsync(TaskInvocation message, CancellationToken cancellationToken)
    {
        var task = TaskMessageMapping.ToMessage(message, _identity);
        await PublishAsync(task, TaskMessageCodec.Encode(task), _router.Route(task.Task), queue: null, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> SendAsync(Signature signature, TaskLineage? lineage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var planned = _planner.Plan(signature, lineage);
        foreach (var message in planned)
        {
            await PublishAsync(message.Task, message.Message, message.Route, message.Queue, cancellationToken).ConfigureAwait(false);
        }

        return ResultId(signature, planned);
    }

    private async Task PublishAsync(TaskMessage task, TransportMessage message, TaskRoute? route, string? queue, CancellationToken cancellationToken)
    {
        await EnsureSetupAsync(cancellationToken).ConfigureAwait(false);
        var (exchange, routingKey) = Destination(task.Task, route, queue);
        var (activity, traced) = Worker.WorkerTelemetry.StartPublish(task.Task, task.Id, exchange, routingKey, message, _time.GetUtcNow());
        using (activity)
        {
            await _transport.PublishAsync(exchange, routingKey, traced, cancellationToken).ConfigureAwait(false);
        }

        LogSent(_logger, task.Task, task.Id, exchange, routingKey);
    }

    // An explicit queue goes through that queue's own binding (kombu's Queue routing); else the route.
    private (string Exchange, string RoutingKey) Destination(string taskName, TaskRoute? route, string? queue)
    {
        if (queue is not null)
        {
            var declared = _topology.Queues.FirstOrDefault(q => q.Name == queue);
            return declared is null ? (string.Empty, queue) : (declared.Exchange.Name, declared.RoutingKey);
        }

        var chosen = route ?? _router.Route(taskName)
            ?? throw new InvalidOperationException($"No route for task '{taskName}': configure a router.");
        return (chosen.Exchange, chosen.RoutingKey);
    }

    private static string ResultId(Signature signature, IReadOnlyList<PlannedMessage> planned)
    {
        var first = planned[0].Task;
        return signature.SubtaskType switch
        {
            Signature.ChainType => first.Chain is { Count: > 0 } rest ? TaskIdOf(rest[0]) ?? first.Id : first.Id,
            Signature.ChordType when first.Task == TaskPlanner.ChordUnlockTask && first.Args.Count > 1 =>
                TaskIdOf(Signature.FromDictionary(AsDictionary(first.Args[1]))) ?? first.Id,
            Signature.GroupType => first.GroupId ?? first.Id,
            _ => first.Id,
        };
    }

    private static IReadOnlyDictionary<string, object?> AsDictionary(object? value) => value switch
    {
        Signature signature => signature.ToDictionary(),
        IReadOnlyDictionary<string, object?> dictionary => dictionary,
        _ => throw new InvalidOperationException("The chord body is not a signature."),
    };

    private static string? TaskIdOf(Signature signature) => signature.Options.GetValueOrDefault("task_id") as string;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sent {Name}[{Id}] to exchange '{Exchange}' with routing key '{RoutingKey}'")]
    private static partial void LogSent(ILogger logger, string name, string id, string exchange, string routingKey);

    [LoggerMessage(Level = LogLevel.Error, Message = "Setting up the broker topology failed: {Reason}")]
    private static partial void LogSetupFailed(ILogger logger, Exception error, string reason);

    /// <summary>The configuration's routers as one.</summary>
    private sealed class ConfigRouter(Config config) : ITaskRouter
    {
        public string Description => string.Join("; ", config.TaskRouters.Select(r => r.Description));

        public TaskRoute? Route(string taskName) => config.RouteTask(taskName);
    }
}
