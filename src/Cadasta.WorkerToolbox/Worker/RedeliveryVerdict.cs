namespace Cadasta.WorkerToolbox.Worker;

/// <summary>The guard's decision on one delivery.</summary>
/// <param name="Action">Run it, publish it again with its count, or dead-letter it.</param>
/// <param name="Deliveries">The delivery count it decided on.</param>
internal readonly record struct RedeliveryVerdict(RedeliveryAction Action, int Deliveries)
{
    public static RedeliveryVerdict Run => new(RedeliveryAction.Run, 0);

    public static RedeliveryVerdict Republish(int deliveries) => new(RedeliveryAction.Republish, deliveries);

    public static RedeliveryVerdict DeadLetter(int deliveries) => new(RedeliveryAction.DeadLetter, deliveries);
}
