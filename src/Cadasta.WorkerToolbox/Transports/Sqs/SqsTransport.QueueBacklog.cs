using System.Globalization;
using Amazon.SQS.Model;

namespace Cadasta.WorkerToolbox.Transports.Sqs;

/// <summary>The queue backlog on SQS: the queue's <c>ApproximateNumberOfMessages</c>, looked up without creating the queue.</summary>
internal sealed partial class SqsTransport : IQueueBacklog
{
    private const string ApproximateNumberOfMessages = "ApproximateNumberOfMessages";

    /// <inheritdoc />
    public async Task<long?> GetMessageCountAsync(string queue, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var name = SqsQueueName(queue);
        string url;
        if (Settings.PredefinedQueues.Count > 0)
        {
            if (!Settings.PredefinedQueues.TryGetValue(name, out var predefined))
            {
                return null;
            }

            url = predefined;
        }
        else
        {
            try
            {
                url = (await _sqs.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = name }, cancellationToken).ConfigureAwait(false)).QueueUrl;
            }
            catch (QueueDoesNotExistException)
            {
                return null;
            }
        }

        var attributes = await _sqs.GetQueueAttributesAsync(
            new GetQueueAttributesRequest { QueueUrl = url, AttributeNames = [ApproximateNumberOfMessages] }, cancellationToken).ConfigureAwait(false);
        return attributes.Attributes is { } values && values.TryGetValue(ApproximateNumberOfMessages, out var count)
            && long.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;
    }
}
