using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Cadasta.WorkerToolbox.Transports.Amqp;

/// <summary>The queue backlog on RabbitMQ: a passive declaration reports the ready messages without creating anything.</summary>
internal sealed partial class AmqpTransport : IQueueBacklog
{
    /// <inheritdoc />
    public async Task<long?> GetMessageCountAsync(string queue, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var connection = await GetConnectionAsync(PublishPurpose, cancellationToken).ConfigureAwait(false);

        // A channel of its own: a missing queue closes the channel it was asked on (404 NOT_FOUND).
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (channel.ConfigureAwait(false))
        {
            try
            {
                var declared = await channel.QueueDeclarePassiveAsync(queue, cancellationToken).ConfigureAwait(false);
                await channel.CloseAsync(cancellationToken).ConfigureAwait(false);
                return declared.MessageCount;
            }
            catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
            {
                return null;
            }
        }
    }
}
