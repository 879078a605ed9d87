namespace Cadasta.WorkerToolbox.Transports;

/// <summary>
/// An optional capability of a transport: how many messages wait in a queue, as the broker tells it
/// (RabbitMQ: the message count of a passive queue declaration; SQS: <c>ApproximateNumberOfMessages</c>;
/// memory: the ready messages). Test for it with <c>transport is IQueueBacklog</c>. Asking never creates a queue.
/// </summary>
public interface IQueueBacklog
{
    /// <summary>The messages ready in <paramref name="queue"/> (not counting those delivered and unacknowledged); null when the queue does not exist.</summary>
    /// <param name="queue">The queue name as the topology names it (an SQS transport applies its prefix).</param>
    /// <param name="cancellationToken">Cancels the question.</param>
    Task<long?> GetMessageCountAsync(string queue, CancellationToken cancellationToken = default);
}
