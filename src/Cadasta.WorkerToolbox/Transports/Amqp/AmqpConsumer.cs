using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Cadasta.WorkerToolbox.Transports.Amqp;

/// <summary>
/// A subscription to one or more queues on its own channel, with manual acknowledgements and a
/// channel-wide prefetch limit (<c>basic.qos</c> with <c>global=true</c>, which RabbitMQ applies
/// to the channel: the limit covers this consumer's queues together, as the contract says).
/// RabbitMQ.Client's automatic recovery re-opens the channel, re-applies the limit and re-issues
/// <c>basic.consume</c> with the same consumer tags after a lost connection; deliveries that were
/// unsettled at the loss come back from the broker with <see cref="Delivery.Redelivered"/> set.
/// <para>
/// Settling from many tasks at once is safe: <c>basic.ack</c>/<c>basic.reject</c> are not RPCs,
/// RabbitMQ.Client serialises each into one buffer and queues it on the connection's
/// multi-writer frame channel (SessionBase.TransmitAsync → SocketFrameHandler.WriteAsync);
/// <c>basic.qos</c> is an RPC, serialised by the client's own RPC lock.
/// </para>
/// <para>
/// Acks are coalesced without a timer: the first ack goes out at once; acks requested while it is being
/// sent leave together next, as one <c>basic.ack multiple=true</c> where every lower delivery tag of the
/// channel is settled (<see cref="AmqpAckPlanner"/>). Deliveries reach <see cref="OnReceivedAsync"/> one at a
/// time in tag order (RabbitMQ.Client's default consumer dispatch concurrency of 1, which this transport keeps),
/// so every tag below an acked one has been seen.
/// </para>
/// </summary>
internal sealed class AmqpConsumer : ITransportConsumer
{
    private readonly IChannel _channel;
    private readonly ILogger _logger;
    private readonly Channel<Delivery> _deliveries = Channel.CreateUnbounded<Delivery>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });

    private readonly Dictionary<string, string> _queuesByConsumerTag = new(StringComparer.Ordinal);
    private readonly AsyncEventingBasicConsumer _basicConsumer;
    private readonly string _description;
    private readonly Action<AmqpConsumer> _onDisposed;
    private readonly Lock _ackGate = new();
    private readonly AmqpAckPlanner _ackPlanner = new();
    private TaskCompletionSource _nextAckRound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _sendingAcks;
    private long _channelGeneration;
    private int _disposed;
    private int _deliveriesStopped;

    private AmqpConsumer(IChannel channel, IReadOnlyList<string> queues, ILogger logger, Action<AmqpConsumer> onDisposed)
    {
        _channel = channel;
        _logger = logger;
        _onDisposed = onDisposed;
        _description = string.Join(", ", queues.Select(q => $"'{q}'"));
        _basicConsumer = new AsyncEventingBasicConsumer(channel);
        _basicConsumer.ReceivedAsync += OnReceivedAsync;
        _basicConsumer.UnregisteredAsync += OnUnregisteredAsync;
        _channel.ChannelShutdownAsync += OnChannelShutdownAsync;
    }

    /// <inheritdoc />
    public ChannelReader<Delivery> Deliveries => _deliveries.Reader;

    /// <summary>Opens the subscription on <paramref name="channel"/> (which the consumer then owns).</summary>
    /// <param name="channel">A fresh channel of the consuming connection.</param>
    /// <param name="queues">The queues.</param>
    /// <param name="prefetchCount">The prefetch limit (0: none).</param>
    /// <param name="logger">The transport's logger.</param>
    /// <param name="onDisposed">Called once the consumer is disposed.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<AmqpConsumer> StartAsync(
        IChannel channel,
        IReadOnlyList<string> queues,
        int prefetchCount,
        ILogger logger,
        Action<AmqpConsumer> onDisposed,
        CancellationToken cancellationToken)
    {
        var consumer = new AmqpConsumer(channel, queues, logger, onDisposed);
        try
        {
            await consumer.SetPrefetchAsync(prefetchCount, cancellationToken).ConfigureAwait(false);
            foreach (var queue in queues)
            {
                var tag = $"cadasta-{Guid.NewGuid():N}";
                lock (consumer._queuesByConsumerTag)
                {
                    consumer._queuesByConsumerTag[tag] = queue;
                }

                await channel.BasicConsumeAsync(
                    queue, autoAck: false, consumerTag: tag, noLocal: false, exclusive: false, arguments: null,
                    consumer: consumer._basicConsumer, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await consumer.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        AmqpLog.ConsumerStarted(logger, consumer._description, prefetchCount);
        return consumer;
    }

    /// <inheritdoc />
    public Task SetPrefetchAsync(int prefetchCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefetchCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefetchCount, ushort.MaxValue);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _channel.BasicQosAsync(0, (ushort)prefetchCount, global: true, cancellationToken);
    }

    /// <summary>
    /// Cancels every <c>basic.consume</c> of this consumer (<c>basic.cancel</c>, waiting for each
    /// <c>cancel-ok</c>) and completes <see cref="Deliveries"/>. The channel stays open, so the
    /// deliveries received so far can still be acknowledged; a delivery the client hands over after
    /// this point is rejected with requeue at once (it can only go to another consumer).
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for the broker.</param>
    public async Task StopDeliveriesAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _deliveriesStopped, 1) != 0 || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        try
        {
            await CancelConsumersAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _deliveries.Writer.TryComplete();
            AmqpLog.ConsumerDeliveriesStopped(_logger, _description);
        }
    }

    /// <summary>Acknowledges or rejects a delivery of this consumer, or does nothing if its channel has closed since.</summary>
    /// <param name="delivery">The delivery.</param>
    /// <param name="ack">Acknowledge (true) or reject (false).</param>
    /// <param name="requeue">When rejecting: return the message to its queue.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    internal async Task SettleAsync(AmqpDelivery delivery, bool ack, bool requeue, CancellationToken cancellationToken)
    {
        var operation = ack ? "ack" : "reject";
        if (Volatile.Read(ref _disposed) != 0 || delivery.ChannelGeneration != Interlocked.Read(ref _channelGeneration))
        {
            AmqpLog.StaleSettlement(_logger, delivery.DeliveryTag, delivery.Queue, operation);
            return;
        }

        try
        {
            if (ack)
            {
                await AckAsync(delivery, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _channel.BasicRejectAsync(delivery.DeliveryTag, requeue, cancellationToken).ConfigureAwait(false);
                lock (_ackGate)
                {
                    if (delivery.ChannelGeneration == Interlocked.Read(ref _channelGeneration))
                    {
                        // Only now, with its frame sent, may a multiple ack cover its tag.
                        _ackPlanner.Rejected(delivery.DeliveryTag);
                    }
                }
            }
        }
        catch (Exception exception) when (exception is AlreadyClosedException or ObjectDisposedException)
        {
            // The channel closed between the check and the send: the broker requeues every
            // unacknowledged message of a closed channel, this one included.
            AmqpLog.StaleSettlement(_logger, delivery.DeliveryTag, delivery.Queue, operation);
        }
    }

    private async Task AckAsync(AmqpDelivery delivery, CancellationToken cancellationToken)
    {
        Task round;
        bool send;
        lock (_ackGate)
        {
            if (delivery.ChannelGeneration != Interlocked.Read(ref _channelGeneration))
            {
                // Checked again under the lock: a tag of a closed channel must never reach the new one's acks.
                AmqpLog.StaleSettlement(_logger, delivery.DeliveryTag, delivery.Queue, "ack");
                return;
            }

            _ackPlanner.Ack(delivery.DeliveryTag);
            round = _nextAckRound.Task;
            send = !_sendingAcks;
            _sendingAcks = true;
        }

        if (send)
        {
            await SendAckRoundsAsync().ConfigureAwait(false);
        }

        // Sent by this caller, or by the one sending when it asked (with the next round of frames).
        await round.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends one round of acks, then hands the next round (acks asked for meanwhile) to the thread pool.</summary>
    private async Task SendAckRoundsAsync()
    {
        List<(ulong Tag, bool Multiple)> frames;
        TaskCompletionSource round;
        long generation;
        lock (_ackGate)
        {
            if (_ackPlanner.Waiting == 0)
            {
                _sendingAcks = false;
                return;
            }

            frames = _ackPlanner.TakeFrames();
            round = _nextAckRound;
            _nextAckRound = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            generation = Interlocked.Read(ref _channelGeneration);
        }

        try
        {
            foreach (var (tag, multiple) in frames)
            {
                if (generation != Interlocked.Read(ref _channelGeneration))
                {
                    // The channel closed meanwhile: the broker requeued these, and the tags now mean other messages.
                    AmqpLog.StaleSettlement(_logger, tag, _description, "ack");
                    break;
                }

                await _channel.BasicAckAsync(tag, multiple, CancellationToken.None).ConfigureAwait(false);
            }

            round.TrySetResult();
        }
        catch (Exception exception) when (exception is AlreadyClosedException or ObjectDisposedException)
        {
            AmqpLog.StaleSettlement(_logger, frames[0].Tag, _description, "ack");
            round.TrySetResult();
        }
#pragma warning disable CA1031 // Handed to every caller of this round.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            round.TrySetException(exception);
        }

        lock (_ackGate)
        {
            if (_ackPlanner.Waiting == 0)
            {
                _sendingAcks = false;
                return;
            }
        }

        // No caller sends more than its own round: the next one goes out from the thread pool.
        _ = Task.Run(SendAckRoundsAsync, CancellationToken.None);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _deliveries.Writer.TryComplete();
        try
        {
            if (_channel.IsOpen)
            {
                // Closing the channel returns every unacknowledged delivery to its queue.
                await _channel.CloseAsync().ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is OperationInterruptedException or ObjectDisposedException or IOException)
        {
            // Already closed by the broker or the network: the broker requeued the deliveries then.
        }
        finally
        {
            _channel.ChannelShutdownAsync -= OnChannelShutdownAsync;
            await _channel.DisposeAsync().ConfigureAwait(false);
            _onDisposed(this);
            AmqpLog.ConsumerStopped(_logger, _description);
        }
    }

    private Task OnReceivedAsync(object sender, BasicDeliverEventArgs args)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            // Not handed out: the channel is closing and the broker gets the message back.
            return Task.CompletedTask;
        }

        string queue;
        lock (_queuesByConsumerTag)
        {
            queue = _queuesByConsumerTag.GetValueOrDefault(args.ConsumerTag, string.Empty);
        }

        lock (_ackGate)
        {
            _ackPlanner.Delivered(args.DeliveryTag);
        }

        var delivery = new AmqpDelivery(
            this,
            AmqpMessageMapping.ToTransportMessage(args.BasicProperties, args.Body),
            queue,
            args.Exchange,
            args.RoutingKey,
            args.Redelivered,
            args.DeliveryTag,
            Interlocked.Read(ref _channelGeneration));
        if (_deliveries.Writer.TryWrite(delivery))
        {
            return Task.CompletedTask;
        }

        // Deliveries were stopped (by us or because the broker cancelled a consumer): the message
        // was on its way when basic.cancel took effect. Nobody will read it; give it back now.
        return ReturnUnreadAsync(delivery);
    }

    private static async Task ReturnUnreadAsync(AmqpDelivery delivery)
    {
        try
        {
            await delivery.RejectAsync(requeue: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationInterruptedException or IOException or InvalidOperationException)
        {
            // The channel is closing: the broker requeues every unacknowledged message of it.
        }
    }

    private async Task CancelConsumersAsync(CancellationToken cancellationToken)
    {
        string[] tags;
        lock (_queuesByConsumerTag)
        {
            tags = [.. _queuesByConsumerTag.Keys];
        }

        foreach (var tag in tags)
        {
            if (!_channel.IsOpen)
            {
                return; // a closed channel delivers nothing; recovery re-subscribes only consumers not cancelled
            }

            try
            {
                await _channel.BasicCancelAsync(tag, noWait: false, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationInterruptedException or AlreadyClosedException or IOException)
            {
                // The channel or connection went away meanwhile: it delivers nothing more either.
            }
        }
    }

    private Task OnChannelShutdownAsync(object sender, ShutdownEventArgs args)
    {
        // Every delivery received before this point belongs to a channel the broker has closed.
        TaskCompletionSource voided;
        lock (_ackGate)
        {
            Interlocked.Increment(ref _channelGeneration);
            _ackPlanner.Reset();
            voided = _nextAckRound;
            _nextAckRound = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        // Acks that were waiting for their round are void: the broker requeued those messages with the channel.
        voided.TrySetResult();

        if (Volatile.Read(ref _disposed) == 0 && args.Initiator == ShutdownInitiator.Peer && AmqpTransport.IsChannelError(args))
        {
            AmqpLog.ChannelClosedByBroker(_logger, $"consumer of {_description}", args.ReplyText);
            _deliveries.Writer.TryComplete(new AmqpTransportException(
                $"The broker closed the channel of the consumer of {_description}: {args.ReplyCode} {args.ReplyText}."));
        }

        return Task.CompletedTask;
    }

    private Task OnUnregisteredAsync(object sender, ConsumerEventArgs args)
    {
        // Our own basic.cancel (StopDeliveriesAsync) and a closing channel unregister too; only a
        // cancel the broker sent by itself while we still want deliveries ends the subscription.
        if (Volatile.Read(ref _disposed) != 0 || Volatile.Read(ref _deliveriesStopped) != 0 || !_channel.IsOpen)
        {
            return Task.CompletedTask;
        }

        var queues = new List<string>();
        foreach (var tag in args.ConsumerTags)
        {
            lock (_queuesByConsumerTag)
            {
                queues.Add(_queuesByConsumerTag.GetValueOrDefault(tag) ?? tag);
            }

            AmqpLog.ConsumerCancelledByBroker(_logger, queues[^1]);
        }

        // Fail loudly rather than wait forever on a queue that no longer exists: complete the
        // deliveries with the reason, and stop the consumer's other queues too (off this callback:
        // basic.cancel is an RPC), so that no message waits unread in this consumer.
        if (Interlocked.Exchange(ref _deliveriesStopped, 1) == 0)
        {
            _deliveries.Writer.TryComplete(new AmqpTransportException(
                $"The broker cancelled the consumer of queue {string.Join(", ", queues.Select(q => $"'{q}'"))} " +
                "(was the queue deleted?); this consumer receives nothing more."));
            _ = Task.Run(() => CancelConsumersAsync(CancellationToken.None), CancellationToken.None);
        }

        return Task.CompletedTask;
    }
}
