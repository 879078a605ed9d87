namespace Cadasta.WorkerToolbox.Transports;

/// <summary>
/// One received message and the means to settle it with the broker. A delivery is settled
/// exactly once: acknowledged (the broker forgets it) or rejected (dropped, or requeued for
/// another consumer). A delivery that is never settled goes back to the broker when its
/// consumer is disposed or its connection is lost.
/// </summary>
public abstract class Delivery
{
    private int _settled;

    /// <summary>Creates a delivery.</summary>
    /// <param name="message">The message received.</param>
    /// <param name="queue">The queue it was received from.</param>
    /// <param name="exchange">The exchange it was published to.</param>
    /// <param name="routingKey">The routing key it was published with.</param>
    /// <param name="redelivered">Whether the broker delivered it before.</param>
    protected Delivery(TransportMessage message, string queue, string exchange, string routingKey, bool redelivered)
    {
        Message = message;
        Queue = queue;
        Exchange = exchange;
        RoutingKey = routingKey;
        Redelivered = redelivered;
    }

    /// <summary>The message received.</summary>
    public TransportMessage Message { get; }

    /// <summary>The queue it was received from.</summary>
    public string Queue { get; }

    /// <summary>The exchange it was published to.</summary>
    public string Exchange { get; }

    /// <summary>The routing key it was published with.</summary>
    public string RoutingKey { get; }

    /// <summary>Whether the broker delivered this message before (to this or another consumer).</summary>
    public bool Redelivered { get; }

    /// <summary>
    /// When the message was sent, as the broker itself recorded it (SQS's <c>SentTimestamp</c>); null
    /// when the broker records no such time. Used for the queue-latency metric.
    /// </summary>
    public DateTimeOffset? SentAt { get; init; }

    /// <summary>
    /// How many times the broker has handed this message out, this time included, when the broker
    /// counts (SQS's <c>ApproximateReceiveCount</c>); null when it only says <see cref="Redelivered"/> (AMQP classic queues, memory).
    /// </summary>
    internal virtual int? DeliveryCount => null;

    /// <summary>The broker's own id of the message when it has one (SQS <c>MessageId</c>), for log lines.</summary>
    internal virtual string? BrokerMessageId => null;

    /// <summary>Whether <see cref="AckAsync"/> or <see cref="RejectAsync"/> was called.</summary>
    public bool IsSettled => Volatile.Read(ref _settled) != 0;

    /// <summary>Acknowledges the message: the broker forgets it.</summary>
    /// <param name="cancellationToken">Cancels the wait for the broker.</param>
    /// <exception cref="InvalidOperationException">The delivery was settled already.</exception>
    public Task AckAsync(CancellationToken cancellationToken = default)
    {
        MarkSettled();
        return AckCoreAsync(cancellationToken);
    }

    /// <summary>Rejects the message: dropped, or returned to the queue when <paramref name="requeue"/> is true.</summary>
    /// <param name="requeue">Return the message to its queue for another delivery.</param>
    /// <param name="cancellationToken">Cancels the wait for the broker.</param>
    /// <exception cref="InvalidOperationException">The delivery was settled already.</exception>
    public Task RejectAsync(bool requeue, CancellationToken cancellationToken = default)
    {
        MarkSettled();
        return RejectCoreAsync(requeue, cancellationToken);
    }

    /// <summary>
    /// Keeps the message reserved for this consumer for at least <paramref name="duration"/> more.
    /// Brokers that hold a message for as long as the connection lives (AMQP, memory) need
    /// nothing; SQS extends the message's visibility timeout.
    /// </summary>
    /// <param name="duration">How much longer the message should stay reserved.</param>
    /// <param name="cancellationToken">Cancels the wait for the broker.</param>
    public virtual Task ExtendReservationAsync(TimeSpan duration, CancellationToken cancellationToken = default) =>
        Task.CompletedTask;

    /// <summary>Acknowledges the message with the broker.</summary>
    /// <param name="cancellationToken">Cancels the wait for the broker.</param>
    protected abstract Task AckCoreAsync(CancellationToken cancellationToken);

    /// <summary>Rejects the message with the broker.</summary>
    /// <param name="requeue">Return the message to its queue.</param>
    /// <param name="cancellationToken">Cancels the wait for the broker.</param>
    protected abstract Task RejectCoreAsync(bool requeue, CancellationToken cancellationToken);

    private void MarkSettled()
    {
        if (Interlocked.Exchange(ref _settled, 1) != 0)
        {
            throw new InvalidOperationException($"The delivery from queue '{Queue}' was already acknowledged or rejected.");
        }
    }
}
