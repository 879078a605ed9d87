using Cadasta.WorkerToolbox.Transports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>
/// The Cadasta platform's task monitor (its <c>sync_tasks</c> consumer): consumes the platform queue, which
/// holds a copy of every task message, and records each task once in the result database. A message is
/// acknowledged only after its record committed; a database failure returns the messages to the queue
/// after a backoff; a message that is not a readable task is logged and acknowledged, so it never blocks
/// the queue.
/// </summary>
public sealed partial class TaskMonitor
{
    private readonly ITransport _transport;
    private readonly ITaskRecordStore _store;
    private readonly ITaskArgumentsReader _arguments;
    private readonly TaskMonitorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _recorded;
    private long _alreadyRecorded;
    private long _malformed;
    private long _databaseFailures;
    private TimeSpan _nextRetryDelay;

    /// <summary>Creates a monitor; call <see cref="RunAsync"/> to run it.</summary>
    /// <param name="transport">The broker connection to consume the platform queue from.</param>
    /// <param name="store">Where the records go (see <see cref="TaskRecordStore.Create"/>).</param>
    /// <param name="options">Queue, batching and retry settings.</param>
    /// <param name="logger">Receives recorded tasks (debug), periodic counts, dropped messages and database failures.</param>
    /// <param name="timeProvider">The clock for record times and backoffs; the system clock when null.</param>
    public TaskMonitor(
        ITransport transport,
        ITaskRecordStore store,
        TaskMonitorOptions options,
        ILogger<TaskMonitor>? logger = null,
        TimeProvider? timeProvider = null)
        : this(transport, store, CodecTaskArgumentsReader.Instance, options, logger, timeProvider)
    {
    }

    internal TaskMonitor(
        ITransport transport,
        ITaskRecordStore store,
        ITaskArgumentsReader arguments,
        TaskMonitorOptions options,
        ILogger<TaskMonitor>? logger,
        TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _transport = transport;
        _store = store;
        _arguments = arguments;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<TaskMonitor>.Instance;
        _nextRetryDelay = options.RetryDelay;
    }

    /// <summary>What the monitor did so far.</summary>
    public TaskMonitorStatistics Statistics => new(
        Interlocked.Read(ref _recorded),
        Interlocked.Read(ref _alreadyRecorded),
        Interlocked.Read(ref _malformed),
        Interlocked.Read(ref _databaseFailures));

    /// <summary>
    /// Creates the record table if needed, declares the topology if one is configured, then records tasks
    /// until <paramref name="cancellationToken"/> is cancelled (the returned task then completes normally).
    /// Messages held but not yet recorded at that moment go back to the broker unacknowledged.
    /// </summary>
    /// <param name="cancellationToken">Stops the monitor.</param>
    /// <exception cref="InvalidOperationException">The transport's consumer stopped for good before the monitor was stopped.</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PrepareAsync(cancellationToken).ConfigureAwait(false);
            var consumer = await _transport.ConsumeAsync([_options.Queue], _options.PrefetchCount, cancellationToken).ConfigureAwait(false);
            await using (consumer.ConfigureAwait(false))
            {
                LogStarted(_options.Queue);
                using var reporting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var reporter = ReportPeriodicallyAsync(reporting.Token);
                try
                {
                    await ConsumeAsync(consumer.Deliveries, cancellationToken).ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                    throw new InvalidOperationException(
                        $"The consumer of '{_options.Queue}' stopped delivering (its transport was closed); the task monitor cannot go on.");
                }
                finally
                {
                    await reporting.CancelAsync().ConfigureAwait(false);
                    await reporter.ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Asked to stop.
        }

        var statistics = Statistics;
        LogStopped(statistics.Recorded, statistics.AlreadyRecorded, statistics.Malformed, statistics.DatabaseFailures);
    }

    private async Task PrepareAsync(CancellationToken cancellationToken)
    {
        // The database may be down when the monitor starts: wait for it as for any other failure.
        while (true)
        {
            try
            {
                await _store.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var delay = NextRetryDelay();
                LogSchemaFailed(e, delay);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }

        _nextRetryDelay = _options.RetryDelay;
        if (_options.Topology is { } topology)
        {
            await _transport.DeclareAsync(topology, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ConsumeAsync(System.Threading.Channels.ChannelReader<Delivery> deliveries, CancellationToken cancellationToken)
    {
        var batch = new List<Delivery>(_options.BatchSize);
        while (await deliveries.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            // Take what is already there, up to a batch: one message when idle, full batches under load.
            batch.Clear();
            while (batch.Count < _options.BatchSize && deliveries.TryRead(out var delivery))
            {
                batch.Add(delivery);
            }

            if (batch.Count > 0)
            {
                await RecordBatchAsync(batch, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task RecordBatchAsync(List<Delivery> batch, CancellationToken cancellationToken)
    {
        var readable = new List<(Delivery Delivery, TaskRecord Record)>(batch.Count);
        foreach (var delivery in batch)
        {
            try
            {
                TaskRecordBuilder.RequireTaskHeaders(delivery.Message);
                var arguments = _arguments.Read(delivery.Message);
                readable.Add((delivery, TaskRecordBuilder.Build(delivery.Message, arguments, _time.GetUtcNow())));
            }
            catch (MalformedTaskMessageException e)
            {
                Interlocked.Increment(ref _malformed);
                LogMalformed(delivery.Queue, Describe(delivery.Message), e.Message);
                await SettleAsync(delivery, ack: true).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // One message the codec chokes on must not stop the monitor or block the queue.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _malformed);
                LogUnreadable(e, delivery.Queue, Describe(delivery.Message));
                await SettleAsync(delivery, ack: true).ConfigureAwait(false);
            }
        }

        if (readable.Count == 0)
        {
            return;
        }

        IReadOnlySet<string> added;
        try
        {
            added = await _store.AddIfAbsentAsync([.. readable.Select(item => item.Record)], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Nothing is acknowledged: after the backoff the messages go back to the queue for a later try.
            // (On cancellation they stay unsettled and return to the broker with the consumer.)
            Interlocked.Increment(ref _databaseFailures);
            var delay = NextRetryDelay();
            LogDatabaseFailed(e, readable.Count, delay);
            foreach (var (delivery, _) in readable)
            {
                // On SQS the message would otherwise become visible to others during a long backoff.
                await ExtendReservationAsync(delivery, delay + delay).ConfigureAwait(false);
            }

            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            foreach (var (delivery, _) in readable)
            {
                await SettleAsync(delivery, ack: false).ConfigureAwait(false);
            }

            return;
        }

        _nextRetryDelay = _options.RetryDelay;
        var firstSeen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (delivery, record) in readable)
        {
            if (added.Contains(record.TaskId) && firstSeen.Add(record.TaskId))
            {
                Interlocked.Increment(ref _recorded);
                LogRecorded(record.TaskId, record.TaskName, record.RootId);
            }
            else
            {
                Interlocked.Increment(ref _alreadyRecorded);
                LogAlreadyRecorded(record.TaskId, record.TaskName);
            }

            await SettleAsync(delivery, ack: true).ConfigureAwait(false);
        }
    }

    private async Task SettleAsync(Delivery delivery, bool ack)
    {
        // The record is committed (or the message is dropped on purpose): settle even while stopping.
        // A lost acknowledgement only means a redelivery, which the insert-if-absent absorbs.
        try
        {
            if (ack)
            {
                await delivery.AckAsync(CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await delivery.RejectAsync(requeue: true, CancellationToken.None).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // The broker may be gone; the message then comes back by itself.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogSettleFailed(e, delivery.Queue, ack ? "acknowledge" : "requeue");
        }
    }

    private async Task ExtendReservationAsync(Delivery delivery, TimeSpan duration)
    {
        try
        {
            await delivery.ExtendReservationAsync(duration, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Only an optimisation: a message that becomes visible again is recorded once anyway.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogSettleFailed(e, delivery.Queue, "extend the reservation of");
        }
    }

    private TimeSpan NextRetryDelay()
    {
        var delay = _nextRetryDelay;
        var doubled = delay * 2;
        _nextRetryDelay = doubled > _options.MaxRetryDelay ? _options.MaxRetryDelay : doubled;
        return delay;
    }

    private async Task ReportPeriodicallyAsync(CancellationToken cancellationToken)
    {
        if (_options.ReportInterval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.ReportInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var statistics = Statistics;
                LogProgress(statistics.Recorded, statistics.AlreadyRecorded, statistics.Malformed, statistics.DatabaseFailures);
            }
        }
        catch (OperationCanceledException)
        {
            // The monitor stopped.
        }
    }

    private static string Describe(TransportMessage message)
    {
        var id = message.Headers.GetValueOrDefault("id") ?? message.Properties.GetValueOrDefault("correlation_id");
        var task = message.Headers.GetValueOrDefault("task");
        return $"id={id ?? "?"} task={task ?? "?"} content_type={message.ContentType} body_bytes={message.Body.Length}";
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Task monitor consuming '{Queue}'")]
    private partial void LogStarted(string queue);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Recorded task {TaskId} ({TaskName}, root {RootId})")]
    private partial void LogRecorded(string taskId, string taskName, string rootId);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Task {TaskId} ({TaskName}) was recorded before; message acknowledged")]
    private partial void LogAlreadyRecorded(string taskId, string taskName);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Dropped an unreadable message from '{Queue}' ({Message}): {Reason}")]
    private partial void LogMalformed(string queue, string message, string reason);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Dropped a message from '{Queue}' that could not be read ({Message})")]
    private partial void LogUnreadable(Exception exception, string queue, string message);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "Could not record {Count} tasks; the messages go back to the queue in {Delay}")]
    private partial void LogDatabaseFailed(Exception exception, int count, TimeSpan delay);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Could not prepare the task record table; trying again in {Delay}")]
    private partial void LogSchemaFailed(Exception exception, TimeSpan delay);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Could not {Action} a message of '{Queue}'; the broker will deliver it again")]
    private partial void LogSettleFailed(Exception exception, string queue, string action);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Task monitor: {Recorded} tasks recorded, {AlreadyRecorded} already known, {Malformed} unreadable, {DatabaseFailures} database failures")]
    private partial void LogProgress(long recorded, long alreadyRecorded, long malformed, long databaseFailures);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Task monitor stopped: {Recorded} tasks recorded, {AlreadyRecorded} already known, {Malformed} unreadable, {DatabaseFailures} database failures")]
    private partial void LogStopped(long recorded, long alreadyRecorded, long malformed, long databaseFailures);
}
