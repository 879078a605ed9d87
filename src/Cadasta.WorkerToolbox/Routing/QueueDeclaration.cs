namespace Cadasta.WorkerToolbox.Routing;

/// <summary>A queue bound to an exchange with one binding key, as kombu's <c>Queue(name, exchange, routing_key)</c>.</summary>
/// <param name="Name">The queue name, for example <c>export</c> or <c>platform.fifo</c>.</param>
/// <param name="Exchange">The exchange the queue is bound to.</param>
/// <param name="RoutingKey">The binding key, for example <c>export</c> or <c>#</c>.</param>
/// <param name="Durable">Whether the queue survives a broker restart (kombu's default is true).</param>
/// <param name="AutoDelete">Whether the broker deletes the queue when its last consumer goes.</param>
/// <param name="Exclusive">Whether only the declaring connection may use the queue.</param>
public sealed record QueueDeclaration(
    string Name,
    ExchangeDeclaration Exchange,
    string RoutingKey,
    bool Durable = true,
    bool AutoDelete = false,
    bool Exclusive = false);
