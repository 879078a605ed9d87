namespace Cadasta.WorkerToolbox.Routing;

/// <summary>An exchange as Celery declares it (kombu's <c>Exchange</c>).</summary>
/// <param name="Name">The exchange name, for example <c>task_exchange</c>.</param>
/// <param name="Type">The exchange type: <c>topic</c>, <c>direct</c> or <c>fanout</c>.</param>
/// <param name="Durable">Whether the exchange survives a broker restart (kombu's default is true).</param>
/// <param name="AutoDelete">Whether the broker deletes the exchange when its last queue is unbound.</param>
public sealed record ExchangeDeclaration(string Name, string Type, bool Durable = true, bool AutoDelete = false)
{
    /// <summary>The <c>topic</c> exchange type.</summary>
    public const string Topic = "topic";

    /// <summary>The <c>direct</c> exchange type.</summary>
    public const string Direct = "direct";

    /// <summary>The <c>fanout</c> exchange type.</summary>
    public const string Fanout = "fanout";
}
