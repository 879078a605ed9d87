using Cadasta.WorkerToolbox.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cadasta.WorkerToolbox.Transports.Memory;

/// <summary>
/// An in-process message broker: the <c>memory://</c> broker. Create one per process (or per
/// test) and connect any number of <see cref="MemoryTransport"/>s to it (producer, worker and
/// monitor in one process share one broker). As kombu's memory transport, it keeps the declared
/// bindings itself and fans a message out to queues with <see cref="Topology.QueuesFor"/>
/// (kombu's virtual exchange rules). Queues are FIFO; a rejected or returned message goes back
/// to the front of its queue, marked redelivered. Thread-safe. Messages live only as long as the broker.
/// </summary>
public sealed partial class MemoryBroker
{
    private readonly Lock _gate = new();
    private readonly ILogger _logger;
    private readonly List<QueueDeclaration> _queueDeclarations = [];
    private readonly Dictionary<string, ExchangeDeclaration> _exchanges = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MemoryQueue> _queues = new(StringComparer.Ordinal);
    private readonly List<MemoryConsumer> _consumers = [];
    private Topology _topology = new([]);
    private int _nextConsumerIndex;
    private long _nextDeliverySequence;

    /// <summary>Creates an empty broker.</summary>
    /// <param name="logger">Receives debug lines about dropped messages; none when null.</param>
    public MemoryBroker(ILogger<MemoryBroker>? logger = null)
    {
        _logger = logger ?? NullLogger<MemoryBroker>.Instance;
    }

    /// <summary>How many messages wait in a queue, not counting those delivered and unsettled (0 for an unknown queue).</summary>
    internal int ReadyCount(string queue)
    {
        lock (_gate)
        {
            return _queues.TryGetValue(queue, out var held) ? held.ReadyCount : 0;
        }
    }

    /// <summary>Whether a queue was declared.</summary>
    internal bool HasQueue(string queue)
    {
        lock (_gate)
        {
            return _queues.ContainsKey(queue);
        }
    }

    /// <summary>Declares exchanges, queues and bindings; declaring the same thing again changes nothing.</summary>
    /// <exception cref="InvalidOperationException">An exchange or queue exists with other settings, as AMQP's PRECONDITION_FAILED.</exception>
    /// <exception cref="ArgumentException">A topic binding key kombu cannot compile.</exception>
    internal void Declare(Topology topology)
    {
        foreach (var binding in topology.Bindings)
        {
            if (topology.FindExchange(binding.Exchange)?.Type == ExchangeDeclaration.Topic)
            {
                _ = VirtualExchangeMatcher.ToPattern(binding.RoutingKey);
            }
        }

        lock (_gate)
        {
            foreach (var exchange in topology.Exchanges)
            {
                if (_exchanges.TryGetValue(exchange.Name, out var known) && known != exchange)
                {
                    throw new InvalidOperationException(
                        $"Exchange '{exchange.Name}' exists as {known}; it cannot be declared again as {exchange}.");
                }
            }

            foreach (var queue in topology.Queues)
            {
                var known = _queueDeclarations.Find(q => string.Equals(q.Name, queue.Name, StringComparison.Ordinal));
                if (known is not null && known != queue)
                {
                    throw new InvalidOperationException(
                        $"Queue '{queue.Name}' exists as {known}; it cannot be declared again as {queue}.");
                }
            }

            foreach (var exchange in topology.Exchanges)
            {
                _exchanges[exchange.Name] = exchange;
            }

            var added = false;
            foreach (var queue in topology.Queues)
            {
                if (!_queues.ContainsKey(queue.Name))
                {
                    _queueDeclarations.Add(queue);
                    _queues.Add(queue.Name, new MemoryQueue(queue.Name));
                    added = true;
                }
            }

            if (added || topology.Exchanges.Count > 0)
            {
                _topology = new Topology(_queueDeclarations, _exchanges.Values);
            }
        }
    }

    /// <summary>Puts a copy of the message in every queue the topology routes it to; none: dropped.</summary>
    internal void Publish(string exchange, string routingKey, TransportMessage message)
    {
        var held = JsonLikeCopy.Of(message);
        int copies;
        lock (_gate)
        {
            copies = 0;
            foreach (var name in _topology.QueuesFor(exchange, routingKey))
            {
                if (_queues.TryGetValue(name, out var queue))
                {
                    queue.Enqueue(new QueuedMessage(held, name, exchange, routingKey, Redelivered: false));
                    copies++;
                }
            }

            if (copies > 0)
            {
                Dispatch();
            }
        }

        if (copies == 0)
        {
            LogDropped(_logger, exchange, routingKey);
        }
    }

    /// <summary>Starts a consumer on declared queues.</summary>
    /// <exception cref="InvalidOperationException">A queue was never declared (AMQP's NOT_FOUND).</exception>
    internal MemoryConsumer AddConsumer(IReadOnlyList<string> queueNames, int prefetchCount, Action<MemoryConsumer> onDisposed)
    {
        lock (_gate)
        {
            var queues = new List<MemoryQueue>(queueNames.Count);
            foreach (var name in queueNames.Distinct(StringComparer.Ordinal))
            {
                if (!_queues.TryGetValue(name, out var queue))
                {
                    throw new InvalidOperationException($"Queue '{name}' was not declared on this memory broker; declare the topology first.");
                }

                queues.Add(queue);
            }

            var consumer = new MemoryConsumer(this, queues, prefetchCount, onDisposed);
            _consumers.Add(consumer);
            Dispatch();
            return consumer;
        }
    }

    internal void SetPrefetch(MemoryConsumer consumer, int prefetchCount)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(consumer.IsClosed, consumer);
            consumer.PrefetchCount = prefetchCount;
            Dispatch();
        }
    }

    /// <summary>Hands a consumer no more messages and completes its deliveries; what it holds stays settleable.</summary>
    internal void StopDeliveries(MemoryConsumer consumer)
    {
        lock (_gate)
        {
            consumer.DeliveriesStopped = true;
            consumer.Writer.TryComplete();
        }
    }

    /// <summary>Acknowledges (<paramref name="requeue"/> false also for a drop) or requeues a delivery.</summary>
    /// <exception cref="InvalidOperationException">Its consumer was disposed and returned it to the queue already.</exception>
    internal void Settle(MemoryDelivery delivery, bool requeue)
    {
        lock (_gate)
        {
            if (!delivery.Consumer.Unsettled.Remove(delivery.Sequence))
            {
                throw new InvalidOperationException(
                    $"The consumer that received this delivery was disposed, which returned the message to queue '{delivery.Queue}'; it can no longer be settled.");
            }

            if (requeue)
            {
                _queues[delivery.Queue].ReturnToFront(delivery.Queued with { Redelivered = true });
            }

            Dispatch();
        }
    }

    /// <summary>Stops a consumer and returns its unsettled deliveries, in their order, to the front of their queues.</summary>
    internal void RemoveConsumer(MemoryConsumer consumer)
    {
        lock (_gate)
        {
            if (consumer.IsClosed)
            {
                return;
            }

            consumer.IsClosed = true;
            _consumers.Remove(consumer);
            consumer.Writer.TryComplete();
            while (consumer.Deliveries.TryRead(out _))
            {
                // Deliveries nobody read yet are among the unsettled ones returned below.
            }

            foreach (var delivery in consumer.Unsettled.Values.OrderByDescending(d => d.Sequence))
            {
                _queues[delivery.Queue].ReturnToFront(delivery.Queued with { Redelivered = true });
            }

            consumer.Unsettled.Clear();
            Dispatch();
        }
    }

    /// <summary>
    /// Hands ready messages to consumers with room, one message per consumer per round so
    /// consumers of one queue take turns, each consumer taking its queues in turn. Under the lock.
    /// </summary>
    private void Dispatch()
    {
        var delivered = true;
        while (delivered && _consumers.Count > 0)
        {
            delivered = false;
            var start = _nextConsumerIndex % _consumers.Count;
            for (var offset = 0; offset < _consumers.Count; offset++)
            {
                var consumer = _consumers[(start + offset) % _consumers.Count];
                if (consumer.HasRoom && TryDeliverOne(consumer))
                {
                    delivered = true;
                    _nextConsumerIndex = (start + offset + 1) % _consumers.Count;
                }
            }
        }
    }

    private bool TryDeliverOne(MemoryConsumer consumer)
    {
        var queues = consumer.Queues;
        for (var offset = 0; offset < queues.Count; offset++)
        {
            var index = (consumer.NextQueueIndex + offset) % queues.Count;
            if (queues[index].TryDequeue(out var queued))
            {
                consumer.NextQueueIndex = (index + 1) % queues.Count;
                var delivery = new MemoryDelivery(consumer, queued, _nextDeliverySequence++);
                consumer.Unsettled.Add(delivery.Sequence, delivery);
                consumer.Writer.TryWrite(delivery);
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dropped a message published to exchange '{Exchange}' with routing key '{RoutingKey}': no queue is bound to receive it.")]
    private static partial void LogDropped(ILogger logger, string exchange, string routingKey);
}
