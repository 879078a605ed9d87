namespace Cadasta.WorkerToolbox.Worker;

/// <summary>What <see cref="RedeliveryGuard"/> decided.</summary>
internal enum RedeliveryAction
{
    /// <summary>Go on reading and running it.</summary>
    Run,

    /// <summary>Publish a copy with the raised count to the tail of its queue, acknowledge the original.</summary>
    Republish,

    /// <summary>Delivered more than the limit allows: dead-letter it.</summary>
    DeadLetter,
}
