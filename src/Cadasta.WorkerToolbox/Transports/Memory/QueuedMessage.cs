namespace Cadasta.WorkerToolbox.Transports.Memory;

/// <summary>A message held in one queue of a <see cref="MemoryBroker"/>.</summary>
/// <param name="Message">The message; its copies in other queues share it (it is never changed).</param>
/// <param name="Queue">The queue holding it.</param>
/// <param name="Exchange">The exchange it was published to.</param>
/// <param name="RoutingKey">The routing key it was published with.</param>
/// <param name="Redelivered">Whether it was delivered before and returned to the queue.</param>
internal sealed record QueuedMessage(TransportMessage Message, string Queue, string Exchange, string RoutingKey, bool Redelivered);
