namespace Cadasta.WorkerToolbox.Transports.Sqs;

/// <summary>
/// A message received from SQS. Ack deletes it; reject with requeue makes it visible again at once
/// (ChangeMessageVisibility 0); reject without requeue deletes it (see docs/sqs.md: kombu would leave
/// it to come back after the visibility timeout, forever without a redrive policy);
/// <see cref="ExtendReservationAsync"/> sets its remaining visibility timeout.
/// </summary>
internal sealed class SqsDelivery : Delivery
{
    private const int Pending = 0;
    private const int Settled = 1;
    private const int Released = 2;

    private readonly SqsConsumer _consumer;
    private readonly SqsSettlementBatcher _batcher;
    private int _state;

    public SqsDelivery(SqsConsumer consumer, SqsSettlementBatcher batcher, SqsDecodedEnvelope envelope, string queue, string queueUrl, string receiptHandle, string messageId, int receiveCount)
        : base(envelope.Message, queue, envelope.Exchange, envelope.RoutingKey, redelivered: receiveCount > 1)
    {
        ReceiveCount = receiveCount;
        _consumer = consumer;
        _batcher = batcher;
        QueueUrl = queueUrl;
        ReceiptHandle = receiptHandle;
        MessageId = messageId;
        PublishTag = envelope.DeliveryTag;
    }

    public string QueueUrl { get; }

    /// <summary>SQS's <c>ApproximateReceiveCount</c> of this receive.</summary>
    public int ReceiveCount { get; }

    internal override int? DeliveryCount => ReceiveCount;

    internal override string? BrokerMessageId => MessageId;

    public string ReceiptHandle { get; }

    public string MessageId { get; }

    /// <summary>kombu's <c>delivery_tag</c> at publish time (the same in every queue's copy).</summary>
    public string? PublishTag { get; }

    public override Task ExtendReservationAsync(TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        if (Volatile.Read(ref _state) != Pending)
        {
            return Task.CompletedTask;
        }

        return _batcher.ChangeVisibilityAsync(QueueUrl, ReceiptHandle, (int)Math.Ceiling(duration.TotalSeconds), cancellationToken);
    }

    /// <summary>Hands the message back to SQS at once if it is still unsettled (the consumer is stopping).</summary>
    internal Task? ReleaseIfUnsettled(CancellationToken cancellationToken) =>
        Interlocked.CompareExchange(ref _state, Released, Pending) == Pending
            ? _batcher.ChangeVisibilityAsync(QueueUrl, ReceiptHandle, 0, cancellationToken)
            : null;

    protected override Task AckCoreAsync(CancellationToken cancellationToken)
    {
        Claim();
        return _batcher.DeleteAsync(QueueUrl, ReceiptHandle, cancellationToken);
    }

    protected override Task RejectCoreAsync(bool requeue, CancellationToken cancellationToken)
    {
        Claim();
        return requeue
            ? _batcher.ChangeVisibilityAsync(QueueUrl, ReceiptHandle, 0, cancellationToken)
            : _batcher.DeleteAsync(QueueUrl, ReceiptHandle, cancellationToken);
    }

    private void Claim()
    {
        if (Interlocked.CompareExchange(ref _state, Settled, Pending) != Pending)
        {
            throw new InvalidOperationException($"The delivery from queue '{Queue}' was returned to SQS when its consumer stopped; it can no longer be settled.");
        }

        _consumer.OnSettled(this);
    }
}
