using System.Threading.Channels;
using Cadasta.WorkerToolbox.Producing;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.Routing;
using Cadasta.WorkerToolbox.Transports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// A Celery-compatible worker: consumes its queues, runs registered tasks with bounded
/// concurrency, stores their outcomes and sends their follow-ups.
/// <para>
/// The flow, top to bottom: <b>receive</b> (<see cref="MessageAdmission"/>: a bad message, one
/// not decodable, too big, too deep, of an unknown task or redelivered too often, ends as FAILURE
/// or in the dead-letter queue, acknowledged; expired → REVOKED) → <b>hold</b> until its ETA if it has one
/// (the prefetch limit is raised meanwhile, so future tasks never starve due ones) →
/// <b>ready</b> queue → one of <see cref="WorkerOptions.Concurrency"/> <b>runners</b> runs its body; the
/// runner then takes the next task while the finished one's outcome is stored and its message settled
/// (see <see cref="OutcomePipeline"/>). A prefetched task that has not started is never acknowledged.
/// </para>
/// </summary>
public sealed partial class TaskWorker : IAsyncDisposable
{
    private readonly ITransport _transport;
    private readonly WorkerOptions _options;
    private readonly Topology? _topology;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TaskExecutor _executor;
    private readonly MessageAdmission _admission;
    private readonly Lock _gate = new();
    private readonly EtaSchedule<WorkerJob> _held = new();
    private readonly Channel<WorkerJob> _ready = Channel.CreateUnbounded<WorkerJob>();
    private readonly HashSet<WorkerJob> _running = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abandon = new();
    private readonly SemaphoreSlim _prefetchUpdate = new(1, 1);
    private readonly OutcomePipeline _outcomes;
    private readonly Func<WorkerJob, TaskCompletionSource, Task> _execute;
    private readonly Action<WorkerJob, Exception?> _finished;
    private readonly TaskCompletionSource _consumerEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly TimeSpan ReservationMargin = TimeSpan.FromMinutes(1);
    private readonly int _basePrefetch;
    private ITransportConsumer? _consumer;
    private ITimer? _etaTimer;
    private Task _receiving = Task.CompletedTask;
    private Task[] _runners = [];
    private bool _stopRequested;
    private int _appliedPrefetch;

    /// <summary>Creates a worker.</summary>
    /// <param name="registry">The tasks it runs (<c>celery.chord_unlock</c> is added when missing).</param>
    /// <param name="transport">The broker connection to consume from.</param>
    /// <param name="results">Where outcomes are stored.</param>
    /// <param name="producer">Sends follow-ups and retries (and declares the topology it was made with).</param>
    /// <param name="options">How the worker runs; <see cref="WorkerOptions.FromConfig"/> reads them from a configuration.</param>
    /// <param name="topology">What to declare on start, and whose queues to consume when <see cref="WorkerOptions.Queues"/> is empty; the producer's when null.</param>
    /// <param name="timeProvider">The clock (ETAs, expiry, time limits, grace period); the system clock when null.</param>
    /// <param name="logger">The logger; none when null.</param>
    public TaskWorker(
        TaskRegistry registry,
        ITransport transport,
        IResultStore results,
        TaskProducer producer,
        WorkerOptions options,
        Topology? topology = null,
        TimeProvider? timeProvider = null,
        ILogger<TaskWorker>? logger = null)
        : this(
            registry,
            transport,
            new ProtocolTaskDecoder(),
            new ResultStoreBackend(results ?? throw new ArgumentNullException(nameof(results))),
            producer ?? throw new ArgumentNullException(nameof(producer)),
            options,
            topology ?? producer.Topology,
            timeProvider,
            logger)
    {
    }

    internal TaskWorker(
        TaskRegistry registry,
        ITransport transport,
        ITaskDecoder decoder,
        IResultBackend results,
        ITaskSender sender,
        WorkerOptions options,
        Topology? topology,
        TimeProvider? time,
        ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Concurrency, 1);
        _transport = transport;
        _options = options;
        _topology = topology;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _executor = new TaskExecutor(results, sender, options, _time, _logger);
        _outcomes = new OutcomePipeline(options.Concurrency, options.PendingOutcomeLimit);
        _execute = (job, bodyDone) => _executor.ExecuteAsync(job, bodyDone, _abandon.Token);
        _finished = Finished;
        _admission = new MessageAdmission(registry, decoder, results, transport, options, _time, _logger);
        _basePrefetch = options.PrefetchMultiplier <= 0 ? 0 : options.Concurrency * options.PrefetchMultiplier;
        if (!registry.Contains(ChordUnlockTask.Name))
        {
            registry.Add(new ChordUnlockTask(results, _executor, options).Definition);
        }
    }

    /// <summary>How many received tasks wait for their ETA.</summary>
    internal int HeldCount
    {
        get
        {
            lock (_gate)
            {
                return _held.Count;
            }
        }
    }

    /// <summary>
    /// Raised when a task fails, after the error is logged and before the FAILURE is stored (Celery's
    /// <c>task_failure</c> signal). Handlers run once the task's body has ended; one that throws is logged and ignored.
    /// </summary>
    public event EventHandler<TaskFailureEventArgs>? TaskFailed
    {
        add => _executor.TaskFailed += value;
        remove => _executor.TaskFailed -= value;
    }

    /// <summary>The queues this worker consumes.</summary>
    public IReadOnlyList<string> Queues { get; private set; } = [];

    /// <summary>
    /// Faults when the broker ended this worker's subscription by itself (for example: a consumed
    /// queue was deleted), after which the worker receives nothing until it is restarted; a host
    /// should stop then rather than wait forever. Completes normally when <see cref="StopAsync"/> stops the worker.
    /// </summary>
    public Task ConsumerCompletion => _consumerEnded.Task;

    /// <summary>
    /// Declares the topology (the toolbox's <c>setup_app</c>), then starts consuming. A failed
    /// declaration stops the start when <see cref="WorkerOptions.ThrowOnSetupFailure"/> is set,
    /// and is logged otherwise.
    /// </summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_consumer is not null)
        {
            throw new InvalidOperationException("The worker is already started.");
        }

        await SetupAsync(cancellationToken).ConfigureAwait(false);
        Queues = ChooseQueues();
        await _admission.DeclareAsync(Queues, _topology, cancellationToken).ConfigureAwait(false);
        _appliedPrefetch = _basePrefetch;
        _consumer = await _transport.ConsumeAsync(Queues, _basePrefetch, cancellationToken).ConfigureAwait(false);
        _etaTimer = _time.CreateTimer(_ => ReleaseDue(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        LogStarted(_logger, _options.Hostname, Queues, _options.Concurrency, _basePrefetch);
        _receiving = Task.Run(() => ReceiveAsync(_consumer, _stopping.Token), CancellationToken.None);
        _runners = [.. Enumerable.Range(0, _options.Concurrency).Select(_ => Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None))];
    }

    /// <summary>
    /// Stops gracefully: stops taking messages, lets running tasks finish, and their outcomes be stored
    /// and their messages settled, for up to <paramref name="gracePeriod"/> (then cancels their tokens and
    /// gives up on them: nothing of theirs is acknowledged any more), and finally
    /// disposes the consumer, which returns every message not acknowledged (tasks not started,
    /// held for their ETA, or abandoned) to the broker. None of those is ever acknowledged.
    /// </summary>
    /// <param name="gracePeriod">How long running tasks may take to finish; null: <see cref="WorkerOptions.ShutdownGracePeriod"/>.</param>
    /// <param name="cancellationToken">Cuts the grace period short.</param>
    public async Task StopAsync(TimeSpan? gracePeriod = null, CancellationToken cancellationToken = default)
    {
        List<WorkerJob> unstarted;
        lock (_gate)
        {
            if (_stopRequested || _consumer is null)
            {
                return;
            }

            _stopRequested = true;
            unstarted = _held.TakeAll();
            while (_ready.Reader.TryRead(out var job))
            {
                unstarted.Add(job);
            }
        }

        LogStopping(_logger, _running.Count, unstarted.Count);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _receiving.ConfigureAwait(false);

        // No more deliveries, while running tasks can still acknowledge (late acks free prefetch
        // slots, which the broker would otherwise refill with messages nobody runs).
        var deliveriesStopped = StopDeliveriesAsync(_consumer);
        if (_etaTimer is not null)
        {
            await _etaTimer.DisposeAsync().ConfigureAwait(false);
        }

        // Not acknowledged, not rejected: disposing the consumer below returns them to the broker.
        // (Rejecting with requeue now would hand them straight back to this consumer, still open
        // so that running tasks can acknowledge.)
        foreach (var job in unstarted)
        {
            job.MarkReturned();
        }

        var runners = WhenRunnersAndOutcomesDoneAsync();
        using (var graceOver = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var grace = Task.Delay(gracePeriod ?? _options.ShutdownGracePeriod, _time, graceOver.Token);
            await Task.WhenAny(runners, grace).ConfigureAwait(false);
            await graceOver.CancelAsync().ConfigureAwait(false);
        }

        if (!runners.IsCompleted)
        {
            WorkerJob[] stillRunning;
            lock (_gate)
            {
                stillRunning = [.. _running];
            }

            LogAbandoning(_logger, stillRunning.Length);
            await _abandon.CancelAsync().ConfigureAwait(false);
            foreach (var job in stillRunning)
            {
                job.MarkReturned();
            }
        }

        await deliveriesStopped.ConfigureAwait(false);
        await _consumer.DisposeAsync().ConfigureAwait(false);
        _consumerEnded.TrySetResult();
        LogStopped(_logger, _options.Hostname);
    }

    /// <summary>Stops the worker if it still runs, without a grace period (call <see cref="StopAsync"/> first for a graceful stop).</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero).ConfigureAwait(false);
        _outcomes.Dispose();
        _stopping.Dispose();
        _abandon.Dispose();
        _prefetchUpdate.Dispose();
    }

    private async Task SetupAsync(CancellationToken cancellationToken)
    {
        if (_topology is null)
        {
            return;
        }

        try
        {
            await _transport.DeclareAsync(_topology, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            LogSetupFailed(_logger, error, error.Message);
            if (_options.ThrowOnSetupFailure)
            {
                throw new InvalidOperationException($"Setting up the broker topology failed: {error.Message}", error);
            }
        }
    }

    private List<string> ChooseQueues()
    {
        if (_options.Queues.Count > 0)
        {
            return [.. _options.Queues];
        }

        // Every configured queue but the platform's, which only the platform's monitor consumes.
        var queues = _topology?.Queues.Where(q => q.RoutingKey != "#").Select(q => q.Name).ToList() ?? [];
        return queues.Count > 0 ? queues : throw new InvalidOperationException("The worker has no queue to consume: configure queues or name them.");
    }

    private async Task ReceiveAsync(ITransportConsumer consumer, CancellationToken stopping)
    {
        try
        {
            await foreach (var delivery in consumer.Deliveries.ReadAllAsync(stopping).ConfigureAwait(false))
            {
                await AcceptAsync(delivery, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: deliveries not read yet go back to the broker when the consumer is disposed.
            return;
        }
#pragma warning disable CA1031 // The consumer's end is reported through ConsumerCompletion, never thrown from StopAsync.
        catch (Exception error)
#pragma warning restore CA1031
        {
            LogConsumerFailed(_logger, error, error.Message);
            _consumerEnded.TrySetException(error);
            return;
        }

        if (!stopping.IsCancellationRequested)
        {
            LogConsumerEnded(_logger);
            _consumerEnded.TrySetException(new InvalidOperationException("The broker consumer stopped delivering messages."));
        }
    }

    private async Task StopDeliveriesAsync(ITransportConsumer consumer)
    {
        try
        {
            await consumer.StopDeliveriesAsync(CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Not stopping deliveries costs prefetched messages held until dispose, not a lost one.
        catch (Exception error)
#pragma warning restore CA1031
        {
            LogStopDeliveriesFailed(_logger, error);
        }
    }

    private async Task AcceptAsync(Delivery delivery, CancellationToken stopping)
    {
        // Bad messages (unreadable, too big or deep, unknown task, redelivered too often) are settled in there.
        if (await _admission.AdmitAsync(delivery).ConfigureAwait(false) is not { } job)
        {
            return;
        }

        var task = job.Task;
        if (_executor.IsExpired(task))
        {
            await _executor.RevokeExpiredAsync(job, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        if (task.Eta is { } eta && eta > _time.GetUtcNow())
        {
            bool earliest;
            lock (_gate)
            {
                earliest = _held.Add(job, eta);
            }

            if (earliest)
            {
                ArmEtaTimer();
            }

            // Brokers that lend a message for a limited time (SQS visibility) must keep it reserved
            // until it runs, or it would be delivered again meanwhile.
            await ExtendReservationAsync(delivery, eta - _time.GetUtcNow() + ReservationMargin).ConfigureAwait(false);

            // Celery raises the prefetch count for every task it holds: a queue full of future tasks
            // must not keep the broker from handing over tasks that are due now.
            await UpdatePrefetchAsync(stopping).ConfigureAwait(false);
            return;
        }

        _ready.Writer.TryWrite(job);
    }

    private async Task ExtendReservationAsync(Delivery delivery, TimeSpan duration)
    {
        try
        {
            await delivery.ExtendReservationAsync(duration, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Extending is an optimisation: a failure means a possible duplicate, not a lost task.
        catch (Exception error)
#pragma warning restore CA1031
        {
            LogExtendFailed(_logger, error, delivery.Queue);
        }
    }

    private void ReleaseDue()
    {
        lock (_gate)
        {
            if (_stopRequested)
            {
                return;
            }

            foreach (var job in _held.TakeDue(_time.GetUtcNow()))
            {
                _ready.Writer.TryWrite(job);
            }
        }

        ArmEtaTimer();
        _ = UpdatePrefetchAsync(CancellationToken.None);
    }

    private void ArmEtaTimer()
    {
        lock (_gate)
        {
            if (_stopRequested || _etaTimer is null)
            {
                return;
            }

            var next = _held.NextDue;
            var wait = next is { } due ? due - _time.GetUtcNow() : Timeout.InfiniteTimeSpan;
            _etaTimer.Change(next is null ? wait : (wait < TimeSpan.Zero ? TimeSpan.Zero : wait), Timeout.InfiniteTimeSpan);
        }
    }

    private async Task UpdatePrefetchAsync(CancellationToken cancellationToken)
    {
        if (_basePrefetch == 0 || _consumer is not { } consumer)
        {
            return;
        }

        await _prefetchUpdate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            int wanted;
            lock (_gate)
            {
                wanted = _basePrefetch + _held.Count;
            }

            if (wanted != _appliedPrefetch && !_stopping.IsCancellationRequested)
            {
                await consumer.SetPrefetchAsync(wanted, cancellationToken).ConfigureAwait(false);
                _appliedPrefetch = wanted;
            }
        }
#pragma warning disable CA1031 // A prefetch change that fails is retried on the next change; log and go on.
        catch (Exception error)
#pragma warning restore CA1031
        {
            LogPrefetchFailed(_logger, error);
        }
        finally
        {
            _prefetchUpdate.Release();
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            while (true)
            {
                // Room for one more task running or finishing: bounds outcomes still waiting for the store or the broker.
                await _outcomes.WaitForRoomAsync(stopping).ConfigureAwait(false);
                WorkerJob? job = null;
                try
                {
                    if (!await _ready.Reader.WaitToReadAsync(stopping).ConfigureAwait(false))
                    {
                        break;
                    }

                    lock (_gate)
                    {
                        if (_stopRequested || !_ready.Reader.TryRead(out job))
                        {
                            continue;
                        }

                        _running.Add(job);
                    }
                }
                finally
                {
                    if (job is null)
                    {
                        _outcomes.GiveBackRoom();
                    }
                }

                // Returns when the body is done; storing the outcome and settling the message go on meanwhile.
                await _outcomes.StartAsync(job, _execute, _finished).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: tasks still in the ready queue were returned by StopAsync.
        }
    }

    private void Finished(WorkerJob job, Exception? error)
    {
        if (error is not null)
        {
            // One task's unexpected error must not stop the worker.
            LogRunnerError(_logger, error, job.Task.Name, job.Task.Id);
        }

        lock (_gate)
        {
            _running.Remove(job);
        }
    }

    private async Task WhenRunnersAndOutcomesDoneAsync()
    {
        await Task.WhenAll(_runners).ConfigureAwait(false);
        await _outcomes.DrainAsync().ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {Hostname} consuming {Queues} (concurrency {Concurrency}, prefetch {Prefetch})")]
    private static partial void LogStarted(ILogger logger, string hostname, IReadOnlyList<string> queues, int concurrency, int prefetch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker stopping: {Running} task(s) running, {Unstarted} not started returned to the broker")]
    private static partial void LogStopping(ILogger logger, int running, int unstarted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grace period over: cancelling {Count} running task(s) and returning their messages")]
    private static partial void LogAbandoning(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The broker consumer stopped delivering messages: this worker receives no more tasks until it is restarted")]
    private static partial void LogConsumerEnded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The broker consumer failed, this worker receives no more tasks until it is restarted: {Reason}")]
    private static partial void LogConsumerFailed(ILogger logger, Exception error, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not stop the broker's deliveries at shutdown; prefetched messages return when the consumer closes")]
    private static partial void LogStopDeliveriesFailed(ILogger logger, Exception error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {Hostname} stopped")]
    private static partial void LogStopped(ILogger logger, string hostname);

    [LoggerMessage(Level = LogLevel.Error, Message = "Setting up the broker topology failed: {Reason}")]
    private static partial void LogSetupFailed(ILogger logger, Exception error, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not extend the reservation of a held message from queue {Queue}: it may be delivered again before its ETA")]
    private static partial void LogExtendFailed(ILogger logger, Exception error, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not change the prefetch count")]
    private static partial void LogPrefetchFailed(ILogger logger, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected error running {Name}[{Id}]")]
    private static partial void LogRunnerError(ILogger logger, Exception error, string name, string id);
}
