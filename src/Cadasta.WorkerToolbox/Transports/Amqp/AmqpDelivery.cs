namespace Cadasta.WorkerToolbox.Transports.Amqp;

/// <summary>
/// A message received from RabbitMQ. It remembers the delivery tag and the generation of the
/// consumer's channel it arrived on: once that channel closed (lost connection, disposed
/// consumer) the broker has requeued the message, so settling it does nothing.
/// </summary>
internal sealed class AmqpDelivery(
    AmqpConsumer consumer,
    TransportMessage message,
    string queue,
    string exchange,
    string routingKey,
    bool redelivered,
    ulong deliveryTag,
    long channelGeneration)
    : Delivery(message, queue, exchange, routingKey, redelivered)
{
    /// <summary>The tag the broker gave this delivery on its channel.</summary>
    public ulong DeliveryTag { get; } = deliveryTag;

    /// <summary>The consumer channel's generation when the message arrived.</summary>
    public long ChannelGeneration { get; } = channelGeneration;

    /// <inheritdoc />
    protected override Task AckCoreAsync(CancellationToken cancellationToken) =>
        consumer.SettleAsync(this, ack: true, requeue: false, cancellationToken);

    /// <inheritdoc />
    protected override Task RejectCoreAsync(bool requeue, CancellationToken cancellationToken) =>
        consumer.SettleAsync(this, ack: false, requeue, cancellationToken);
}
