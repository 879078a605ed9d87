namespace Cadasta.WorkerToolbox.Routing;

/// <summary>
/// The exchanges, queues and bindings a Cadasta worker declares, and the answer to
/// "which queues receive a message published to exchange E with routing key K" as kombu's
/// virtual transports compute it. The memory and SQS transports fan out through it.
/// </summary>
public sealed class Topology
{
    private readonly VirtualExchangeMatcher _matcher = new();
    private readonly Dictionary<string, ExchangeDeclaration> _exchangesByName;

    /// <summary>Builds a topology from queues; each queue's exchange is declared and bound with its routing key.</summary>
    /// <param name="queues">The queues, in declaration order.</param>
    /// <param name="extraExchanges">Exchanges to declare even when no queue is bound to them.</param>
    public Topology(IEnumerable<QueueDeclaration> queues, IEnumerable<ExchangeDeclaration>? extraExchanges = null)
    {
        ArgumentNullException.ThrowIfNull(queues);
        Queues = queues.ToArray();
        var duplicate = Queues.GroupBy(q => q.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Queue '{duplicate.Key}' is declared more than once.", nameof(queues));
        }

        _exchangesByName = new Dictionary<string, ExchangeDeclaration>(StringComparer.Ordinal);
        foreach (var exchange in Queues.Select(q => q.Exchange).Concat(extraExchanges ?? []))
        {
            if (_exchangesByName.TryGetValue(exchange.Name, out var known) && known != exchange)
            {
                throw new ArgumentException(
                    $"Exchange '{exchange.Name}' is declared twice with different settings ({known} and {exchange}).",
                    nameof(queues));
            }

            _exchangesByName[exchange.Name] = exchange;
        }

        Exchanges = [.. _exchangesByName.Values];
        Bindings = [.. Queues.Select(q => new Binding(q.Name, q.Exchange.Name, q.RoutingKey))];
    }

    /// <summary>The exchanges, each once.</summary>
    public IReadOnlyList<ExchangeDeclaration> Exchanges { get; }

    /// <summary>The queues in declaration order.</summary>
    public IReadOnlyList<QueueDeclaration> Queues { get; }

    /// <summary>One binding per queue.</summary>
    public IReadOnlyList<Binding> Bindings { get; }

    /// <summary>The exchange of that name, or null.</summary>
    /// <param name="name">The exchange name.</param>
    public ExchangeDeclaration? FindExchange(string name) =>
        _exchangesByName.GetValueOrDefault(name);

    /// <summary>
    /// The queues that receive a message published to <paramref name="exchange"/> with
    /// <paramref name="routingKey"/>, by kombu's virtual-transport rules: the empty exchange
    /// delivers to the queue named by the key (declared here or not; an empty key names no
    /// queue); an unknown exchange, or a key no binding matches, delivers nowhere. Each queue
    /// appears once, in declaration order.
    /// </summary>
    /// <param name="exchange">The exchange name.</param>
    /// <param name="routingKey">The routing key of the message.</param>
    /// <exception cref="ArgumentException">
    /// A topic binding key of <paramref name="exchange"/> that kombu cannot compile either (for
    /// example <c>*a</c>: kombu's regular expression then has nothing to repeat).
    /// </exception>
    public IReadOnlyList<string> QueuesFor(string exchange, string routingKey)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentNullException.ThrowIfNull(routingKey);
        if (exchange.Length == 0)
        {
            return routingKey.Length == 0 ? [] : [routingKey];
        }

        if (!_exchangesByName.TryGetValue(exchange, out var declared))
        {
            return [];
        }

        return [.. Bindings
            .Where(b => string.Equals(b.Exchange, exchange, StringComparison.Ordinal)
                && _matcher.Matches(declared.Type, b.RoutingKey, routingKey))
            .Select(b => b.Queue)
            .Distinct(StringComparer.Ordinal)];
    }
}
