using Cadasta.WorkerToolbox.Routing;
using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// Moves a message the worker will not run to a queue of its own, unchanged but for headers that
/// say why (<see cref="ReasonHeader"/> and the others below). It cannot be the broker's dead
/// lettering: Celery declares its queues without <c>x-dead-letter-exchange</c> (RabbitMQ answers
/// PRECONDITION_FAILED to a declaration with other arguments) and without an SQS redrive policy,
/// so the worker publishes the copy itself, through the default exchange straight to the queue
/// (never through the task exchange, whose <c>#</c> binding would hand the platform a copy), and
/// only then acknowledges the original. The queue is named by the template
/// <see cref="WorkerOptions.DeadLetterQueue"/>, <c>{queue}</c> standing for the source queue.
/// </summary>
internal sealed class DeadLetterQueue(ITransport transport, string? template, TimeProvider time)
{
    public const string QueuePlaceholder = "{queue}";
    public const string ReasonHeader = "x-cadasta-dead-letter-reason";
    public const string CodeHeader = "x-cadasta-dead-letter-code";
    public const string SourceQueueHeader = "x-cadasta-dead-letter-queue";
    public const string SourceExchangeHeader = "x-cadasta-dead-letter-exchange";
    public const string SourceRoutingKeyHeader = "x-cadasta-dead-letter-routing-key";
    public const string TimeHeader = "x-cadasta-dead-letter-time";
    public const string DroppedHeader = "x-cadasta-dead-letter-dropped";

    /// <summary>The longest reason written in the header.</summary>
    private const int MaxReasonLength = 1000;

    public bool IsEnabled => template is { Length: > 0 };

    /// <summary>The dead-letter queue of <paramref name="queue"/>, or null when dead-lettering is off.</summary>
    public string? NameFor(string queue) => template is { Length: > 0 } t ? t.Replace(QueuePlaceholder, queue, StringComparison.Ordinal) : null;

    /// <summary>
    /// Declares the dead-letter queues of <paramref name="queues"/>, bound by their own names to the
    /// exchange of their source queue (like every Cadasta queue), so that they exist before anything is moved there.
    /// </summary>
    public async Task DeclareAsync(IReadOnlyList<string> queues, Topology? topology, CancellationToken cancellationToken)
    {
        if (!IsEnabled)
        {
            return;
        }

        var declarations = new List<QueueDeclaration>();
        foreach (var queue in queues)
        {
            var name = NameFor(queue)!;
            if (queues.Contains(name, StringComparer.Ordinal))
            {
                throw new InvalidOperationException($"The dead-letter queue of '{queue}' would be '{name}', a queue the worker consumes: change DEAD_LETTER_QUEUE.");
            }

            if (declarations.Exists(d => d.Name == name))
            {
                continue;
            }

            var exchange = topology?.Queues.FirstOrDefault(q => q.Name == queue)?.Exchange ?? new ExchangeDeclaration(name, ExchangeDeclaration.Direct);
            declarations.Add(new QueueDeclaration(name, exchange, name));
        }

        await transport.DeclareAsync(new Topology(declarations), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Publishes the delivery's message to its dead-letter queue and returns the queue's name.
    /// When the broker will not take the message as it is (headers it cannot carry, a body over
    /// SQS's 256 KiB), the original headers, then the body, are left out and <see cref="DroppedHeader"/> says so.
    /// </summary>
    /// <exception cref="InvalidOperationException">Dead-lettering is off.</exception>
    public async Task<string> PublishAsync(Delivery delivery, string code, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var queue = NameFor(delivery.Queue) ?? throw new InvalidOperationException("No dead-letter queue is configured.");
        var message = delivery.Message;
        var why = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [ReasonHeader] = reason.Length > MaxReasonLength ? reason[..MaxReasonLength] + "..." : reason,
            [CodeHeader] = code,
            [SourceQueueHeader] = delivery.Queue,
            [SourceExchangeHeader] = delivery.Exchange,
            [SourceRoutingKeyHeader] = delivery.RoutingKey,
            [TimeHeader] = time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        };

        // An AMQP per-message TTL would let the evidence expire in the dead-letter queue.
        var properties = message.Properties.Where(p => p.Key != "expiration").ToDictionary(StringComparer.Ordinal);
        var attempts = new (IReadOnlyDictionary<string, object?> Headers, ReadOnlyMemory<byte> Body)[]
        {
            (Merge(message.Headers, why), message.Body),
            (Merge(why, new Dictionary<string, object?> { [DroppedHeader] = "headers" }), message.Body),
            (Merge(why, new Dictionary<string, object?> { [DroppedHeader] = $"headers and body ({message.Body.Length} bytes)" }), ReadOnlyMemory<byte>.Empty),
        };

        for (var i = 0; ; i++)
        {
            var copy = new TransportMessage
            {
                Body = attempts[i].Body,
                ContentType = message.ContentType ?? string.Empty,
                ContentEncoding = message.ContentEncoding ?? string.Empty,
                Headers = attempts[i].Headers,
                Properties = properties,
            };
            try
            {
                await transport.PublishAsync(string.Empty, queue, copy, cancellationToken).ConfigureAwait(false);
                return queue;
            }
            catch (Exception error) when (i < attempts.Length - 1 && error is ArgumentException or Protocol.TaskEncodingException or FormatException)
            {
                // This form of the message cannot be carried: try a smaller one.
            }
        }
    }

    private static Dictionary<string, object?> Merge(IReadOnlyDictionary<string, object?> first, IReadOnlyDictionary<string, object?> second)
    {
        var merged = new Dictionary<string, object?>(first, StringComparer.Ordinal);
        foreach (var (key, value) in second)
        {
            merged[key] = value;
        }

        return merged;
    }
}
