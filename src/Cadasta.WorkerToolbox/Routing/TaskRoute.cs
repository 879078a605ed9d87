namespace Cadasta.WorkerToolbox.Routing;

/// <summary>Where a task message is published: an exchange and a routing key.</summary>
/// <param name="Exchange">The exchange name.</param>
/// <param name="RoutingKey">The routing key the message is published with.</param>
public readonly record struct TaskRoute(string Exchange, string RoutingKey);
