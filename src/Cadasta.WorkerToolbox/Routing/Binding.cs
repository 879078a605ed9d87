namespace Cadasta.WorkerToolbox.Routing;

/// <summary>One binding of a queue to an exchange under a binding key.</summary>
/// <param name="Queue">The bound queue's name.</param>
/// <param name="Exchange">The exchange's name.</param>
/// <param name="RoutingKey">The binding key (may hold the topic wildcards <c>*</c> and <c>#</c>).</param>
public sealed record Binding(string Queue, string Exchange, string RoutingKey);
