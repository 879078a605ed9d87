using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// Counts how often a message was delivered without this worker settling it (the worker crashed
/// or lost its connection while holding it), so that a message that kills the worker cannot come
/// back forever (<see cref="WorkerOptions.MaxDeliveries"/>).
/// <para>
/// The count must survive the crash it is meant to catch. SQS counts itself
/// (<c>ApproximateReceiveCount</c>). AMQP classic queues only say <c>redelivered</c>, so a
/// redelivered message is not run but published again to the tail of its queue with the header
/// <see cref="DeliveriesHeader"/> raised by one, and the original acknowledged: the count travels
/// with the message in the broker, wherever and whenever it is consumed next. The price: one extra
/// publish per redelivery (rare: crashes, lost connections, restarts), and the message loses its
/// place in the queue (Celery promises no order).
/// </para>
/// <para>
/// Returns the worker asks for itself (a late-acknowledged task whose result could not be stored)
/// are not a sign of poison and must not exhaust the limit during a database outage: they are
/// remembered in memory, by task id, and discounted. After a crash the memory is gone, and every
/// redelivery counts, as it should. The memory is bounded (<see cref="Capacity"/> ids; when full
/// it starts over, so at worst a few returns are counted).
/// </para>
/// </summary>
internal sealed class RedeliveryGuard(int maxDeliveries)
{
    /// <summary>The header carrying how many times the message was delivered before this copy was published.</summary>
    public const string DeliveriesHeader = "x-cadasta-deliveries";

    /// <summary>How many task ids the guard remembers returns for.</summary>
    public const int Capacity = 10_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _ownReturns = new(StringComparer.Ordinal);

    public int MaxDeliveries { get; } = maxDeliveries;

    /// <summary>Remembers that the worker returned the message with this identity to its queue itself.</summary>
    public void NoteOwnReturn(string? identity)
    {
        if (identity is null)
        {
            return;
        }

        lock (_gate)
        {
            if (_ownReturns.Count >= Capacity && !_ownReturns.ContainsKey(identity))
            {
                _ownReturns.Clear();
            }

            _ownReturns[identity] = _ownReturns.GetValueOrDefault(identity) + 1;
        }
    }

    /// <summary>What to do with a delivery before anything else is read from it.</summary>
    public RedeliveryVerdict Judge(Delivery delivery, string? identity)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        if (delivery.DeliveryCount is { } received)
        {
            // The broker counts every receive, ours included: discount the returns the worker asked for.
            int own;
            lock (_gate)
            {
                own = identity is null ? 0 : _ownReturns.GetValueOrDefault(identity);
            }

            var deliveries = Math.Max(1, received - own);
            return deliveries > MaxDeliveries ? RedeliveryVerdict.DeadLetter(deliveries) : RedeliveryVerdict.Run;
        }

        var counted = PreviousDeliveries(delivery.Message);
        if (!delivery.Redelivered || TakeOwnReturn(identity))
        {
            return counted > MaxDeliveries ? RedeliveryVerdict.DeadLetter(counted) : RedeliveryVerdict.Run;
        }

        var next = counted + 1;
        return next > MaxDeliveries ? RedeliveryVerdict.DeadLetter(next) : RedeliveryVerdict.Republish(next);
    }

    /// <summary>The copy of <paramref name="message"/> to publish again, carrying its delivery count.</summary>
    public static TransportMessage WithDeliveries(TransportMessage message, int deliveries)
    {
        ArgumentNullException.ThrowIfNull(message);
        var headers = new Dictionary<string, object?>(message.Headers, StringComparer.Ordinal) { [DeliveriesHeader] = (long)deliveries };
        return new TransportMessage
        {
            Body = message.Body,
            ContentType = message.ContentType,
            ContentEncoding = message.ContentEncoding,
            Headers = headers,
            Properties = message.Properties,
        };
    }

    // A message published by someone else has no count: it is on its first delivery. A count that is
    // not a positive integer (forged or broken) counts as the first delivery too.
    private static int PreviousDeliveries(TransportMessage message) =>
        message.Headers.GetValueOrDefault(DeliveriesHeader) switch
        {
            long n and >= 1 and <= int.MaxValue => (int)n,
            int n and >= 1 => n,
            _ => 1,
        };

    private bool TakeOwnReturn(string? identity)
    {
        if (identity is null)
        {
            return false;
        }

        lock (_gate)
        {
            if (!_ownReturns.TryGetValue(identity, out var count))
            {
                return false;
            }

            if (count <= 1)
            {
                _ownReturns.Remove(identity);
            }
            else
            {
                _ownReturns[identity] = count - 1;
            }

            return true;
        }
    }
}
