using Cadasta.WorkerToolbox.Routing;

namespace Cadasta.WorkerToolbox.Tests.Routing;

/// <summary>The topology the Cadasta configuration generates, built by hand for tests.</summary>
internal static class CadastaTopologyFixture
{
    public static readonly ExchangeDeclaration TaskExchange = new("task_exchange", ExchangeDeclaration.Topic);

    public static readonly string[] DefaultServiceQueues = ["msg", "export"];

    /// <summary>celery (own name), platform.fifo (<c>#</c>), then each service queue bound by its own name.</summary>
    public static Topology Create(params string[] serviceQueues) => Create(TaskExchange, serviceQueues);

    public static Topology Create(ExchangeDeclaration exchange, params string[] serviceQueues) =>
        new(Queues(exchange, serviceQueues.Length == 0 ? DefaultServiceQueues : serviceQueues));

    public static List<QueueDeclaration> Queues(ExchangeDeclaration exchange, IEnumerable<string> serviceQueues) =>
    [
        new("celery", exchange, "celery"),
        new("platform.fifo", exchange, "#"),
        .. serviceQueues.Select(q => new QueueDeclaration(q, exchange, q)),
    ];
}
