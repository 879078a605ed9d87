using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Transports.Amqp;

/// <summary>Every log line of the AMQP transport. None of them holds the broker password.</summary>
internal static partial class AmqpLog
{
    [LoggerMessage(1, LogLevel.Information, "Connected to {Broker} as '{ConnectionName}'.")]
    public static partial void Connected(ILogger logger, string broker, string connectionName);

    [LoggerMessage(2, LogLevel.Warning, "Connection to {Broker} ({Purpose}) lost: {Reason}. Reconnecting every {Interval}.")]
    public static partial void ConnectionLost(ILogger logger, string broker, string purpose, string reason, TimeSpan interval);

    [LoggerMessage(3, LogLevel.Information, "Connection to {Broker} ({Purpose}) recovered.")]
    public static partial void ConnectionRecovered(ILogger logger, string broker, string purpose);

    [LoggerMessage(4, LogLevel.Debug, "Reconnection attempt to {Broker} ({Purpose}) failed: {Reason}.")]
    public static partial void RecoveryAttemptFailed(ILogger logger, string broker, string purpose, string reason);

    [LoggerMessage(5, LogLevel.Warning, "Cannot connect to {Broker} (attempt {Attempt}): {Reason}. Retrying in {Delay}.")]
    public static partial void ConnectAttemptFailed(ILogger logger, string broker, int attempt, string reason, TimeSpan delay);

    [LoggerMessage(6, LogLevel.Debug, "Publish to exchange '{Exchange}' with routing key '{RoutingKey}' interrupted ({Reason}); retrying (attempt {Attempt}).")]
    public static partial void PublishRetry(ILogger logger, string exchange, string routingKey, string reason, int attempt);

    [LoggerMessage(7, LogLevel.Debug, "Delivery {DeliveryTag} from queue '{Queue}' was received on a channel that has since closed; the broker requeued it, so {Operation} does nothing.")]
    public static partial void StaleSettlement(ILogger logger, ulong deliveryTag, string queue, string operation);

    [LoggerMessage(8, LogLevel.Warning, "The broker closed the channel ({Purpose}): {Reason}.")]
    public static partial void ChannelClosedByBroker(ILogger logger, string purpose, string reason);

    [LoggerMessage(9, LogLevel.Debug, "Consumer of {Queues} started with prefetch {Prefetch}.")]
    public static partial void ConsumerStarted(ILogger logger, string queues, int prefetch);

    [LoggerMessage(10, LogLevel.Debug, "Consumer of {Queues} stopped; unsettled deliveries returned to the broker.")]
    public static partial void ConsumerStopped(ILogger logger, string queues);

    [LoggerMessage(11, LogLevel.Warning, "The broker cancelled the consumer of queue '{Queue}' (was the queue deleted?).")]
    public static partial void ConsumerCancelledByBroker(ILogger logger, string queue);

    [LoggerMessage(12, LogLevel.Debug, "Consumer of {Queues} takes no more deliveries (basic.cancel); it stays open for settling.")]
    public static partial void ConsumerDeliveriesStopped(ILogger logger, string queues);
}
