using System.Collections.Concurrent;
using System.Globalization;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Transports.Sqs;

/// <summary>
/// Finds or creates the SQS queue behind a kombu queue name and caches its URL, as kombu's
/// <c>_new_queue</c> does: the first lookup lists every queue under the prefix; a miss lists
/// the exact SQS name, then creates it with <c>VisibilityTimeout</c> (and <c>FifoQueue</c> for
/// <c>.fifo</c>). With <c>predefined_queues</c> nothing is listed or created.
/// </summary>
internal sealed partial class SqsQueueDirectory(IAmazonSQS sqs, SqsTransportSettings settings, SqsApiCallCounters counters, ILogger logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, string> _urlsBySqsName = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _resolving = new(1, 1);
    private bool _prefixListed;

    /// <summary>The SQS name of a kombu queue name.</summary>
    public string SqsName(string queue) => SqsQueueNames.Canonical(settings.QueueNamePrefix, queue);

    /// <summary>The URL of <paramref name="queue"/> (a kombu name, prefix not applied), creating the queue if needed.</summary>
    public async Task<string> GetUrlAsync(string queue, CancellationToken cancellationToken)
    {
        var name = SqsName(queue);
        if (_urlsBySqsName.TryGetValue(name, out var cached))
        {
            return cached;
        }

        if (settings.PredefinedQueues.Count > 0)
        {
            return settings.PredefinedQueues.TryGetValue(name, out var predefined)
                ? _urlsBySqsName.GetOrAdd(name, predefined)
                : throw new InvalidOperationException($"Queue '{name}' must be defined in the transport option predefined_queues (defined: {string.Join(", ", settings.PredefinedQueues.Keys)}).");
        }

        await _resolving.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_prefixListed)
            {
                await ListAsync(settings.QueueNamePrefix, cancellationToken).ConfigureAwait(false);
                _prefixListed = true;
            }

            if (_urlsBySqsName.TryGetValue(name, out cached))
            {
                return cached;
            }

            await ListAsync(name, cancellationToken).ConfigureAwait(false);
            if (_urlsBySqsName.TryGetValue(name, out cached))
            {
                return cached;
            }

            var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["VisibilityTimeout"] = settings.VisibilityTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
            };
            if (SqsQueueNames.IsFifo(name))
            {
                attributes["FifoQueue"] = "true";
            }

            foreach (var (key, value) in settings.CreationAttributes)
            {
                attributes[key] = value;
            }

            counters.CountCreateQueue();
            var created = await sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = name, Attributes = attributes }, cancellationToken).ConfigureAwait(false);
            LogCreated(logger, name, created.QueueUrl);
            return _urlsBySqsName[name] = created.QueueUrl;
        }
        finally
        {
            _resolving.Release();
        }
    }

    public void Dispose() => _resolving.Dispose();

    private async Task ListAsync(string prefix, CancellationToken cancellationToken)
    {
        counters.CountListQueues();
        var listed = await sqs.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = prefix.Length == 0 ? null : prefix }, cancellationToken).ConfigureAwait(false);
        foreach (var url in listed.QueueUrls ?? [])
        {
            _urlsBySqsName[url[(url.LastIndexOf('/') + 1)..]] = url;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SQS queue {QueueName} created: {QueueUrl}")]
    private static partial void LogCreated(ILogger logger, string queueName, string queueUrl);
}
