using Cadasta.WorkerToolbox.Routing;

namespace Cadasta.WorkerToolbox.Transports;

/// <summary>
/// A connection to a message broker: declares the topology, publishes, and consumes.
/// Implementations: <c>memory://</c> (in process), <c>amqp://</c> (RabbitMQ), <c>sqs://</c> (Amazon SQS).
/// A transport never parses a task; it moves <see cref="TransportMessage"/>s.
/// </summary>
public interface ITransport : IAsyncDisposable
{
    /// <summary>Declares exchanges, queues and bindings (idempotent). Brokers without exchanges keep the bindings in the client.</summary>
    /// <param name="topology">What to declare.</param>
    /// <param name="cancellationToken">Cancels the declaration.</param>
    Task DeclareAsync(Topology topology, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes a message; completes only once the broker holds it in every queue it routes to
    /// (publisher confirms). A message no binding matches is dropped, as kombu and AMQP do.
    /// </summary>
    /// <param name="exchange">The exchange (empty: the queue named by the routing key).</param>
    /// <param name="routingKey">The routing key.</param>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the wait for the broker.</param>
    Task PublishAsync(string exchange, string routingKey, TransportMessage message, CancellationToken cancellationToken = default);

    /// <summary>Starts consuming from <paramref name="queues"/> with a prefetch limit (0: no limit).</summary>
    /// <param name="queues">The queues to consume from.</param>
    /// <param name="prefetchCount">How many unsettled deliveries this consumer may hold.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    Task<ITransportConsumer> ConsumeAsync(IReadOnlyList<string> queues, int prefetchCount, CancellationToken cancellationToken = default);
}
