using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Transports.Sqs;

/// <summary>
/// Long-polls each queue in its own loop, asking for as many messages (at most 10) as the
/// prefetch budget allows, shared fairly between the queues. Disposing stops the loops and makes
/// every unsettled message visible again at once (batched ChangeMessageVisibility 0).
/// </summary>
internal sealed partial class SqsConsumer : ITransportConsumer
{
    private const int MaxMessagesPerReceive = 10;
    private const string ReceiveCountAttribute = "ApproximateReceiveCount";
    private const string SentTimestampAttribute = "SentTimestamp";

    private readonly IAmazonSQS _sqs;
    private readonly SqsTransportSettings _settings;
    private readonly SqsApiCallCounters _counters;
    private readonly SqsSettlementBatcher _batcher;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Action<SqsConsumer> _onDisposed;
    private readonly IReadOnlyList<(string Queue, string Url)> _queues;
    private readonly SqsPrefetchBudget _budget;
    private readonly Channel<Delivery> _deliveries = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly ConcurrentDictionary<SqsDelivery, byte> _unsettled = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _polling = Task.CompletedTask;
    private int _disposed;
    private int _deliveriesStopped;

    public SqsConsumer(
        IAmazonSQS sqs,
        SqsTransportSettings settings,
        SqsApiCallCounters counters,
        SqsSettlementBatcher batcher,
        IReadOnlyList<(string Queue, string Url)> queues,
        int prefetchCount,
        ILogger logger,
        TimeProvider timeProvider,
        Action<SqsConsumer> onDisposed)
    {
        _sqs = sqs;
        _settings = settings;
        _counters = counters;
        _batcher = batcher;
        _queues = queues;
        _budget = new SqsPrefetchBudget(prefetchCount);
        _logger = logger;
        _timeProvider = timeProvider;
        _onDisposed = onDisposed;
    }

    public ChannelReader<Delivery> Deliveries => _deliveries.Reader;

    /// <summary>Deliveries handed out and not yet settled.</summary>
    internal int UnsettledCount => _unsettled.Count;

    public void Start() =>
        _polling = Task.WhenAll(_queues.Select(q => Task.Run(() => PollAsync(q.Queue, q.Url, _stopping.Token), CancellationToken.None)));

    public Task SetPrefetchAsync(int prefetchCount, CancellationToken cancellationToken = default)
    {
        _budget.SetLimit(prefetchCount);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops the pollers. A long poll under way is waited for (at most <c>wait_time_seconds</c>);
    /// what it brings is made visible again at once rather than handed out.
    /// </summary>
    public async Task StopDeliveriesAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _deliveriesStopped, 1) == 0)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        await _polling.WaitAsync(cancellationToken).ConfigureAwait(false);
        _deliveries.Writer.TryComplete();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopDeliveriesAsync(CancellationToken.None).ConfigureAwait(false);

        // Deliveries nobody read yet are released with the rest; take them out so no reader sees them.
        while (_deliveries.Reader.TryRead(out _))
        {
        }

        _deliveries.Writer.TryComplete();
        var releases = _unsettled.Keys.Select(d => d.ReleaseIfUnsettled(CancellationToken.None)).OfType<Task>().ToList();
        _unsettled.Clear();
        try
        {
            await Task.WhenAll(releases).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // an unreleased message still comes back after its visibility timeout
        catch (Exception failure)
#pragma warning restore CA1031
        {
            LogReleaseFailed(_logger, releases.Count, failure);
        }

        _stopping.Dispose();
        _onDisposed(this);
    }

    internal void OnSettled(SqsDelivery delivery)
    {
        if (_unsettled.TryRemove(delivery, out _))
        {
            _budget.Release(1);
        }
    }

    private async Task PollAsync(string queue, string queueUrl, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            int reserved;
            try
            {
                reserved = await _budget.ReserveAsync(FairShare(), stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            List<Message> messages;
            try
            {
                var request = new ReceiveMessageRequest
                {
                    QueueUrl = queueUrl,
                    MaxNumberOfMessages = reserved,
                    WaitTimeSeconds = _settings.WaitTimeSeconds,
                    MessageSystemAttributeNames = [ReceiveCountAttribute, SentTimestampAttribute],
                };

                // local-aws-sqs honours only the legacy field; real SQS accepts both.
#pragma warning disable CS0618
                request.AttributeNames = [ReceiveCountAttribute, SentTimestampAttribute];
#pragma warning restore CS0618
                // Not cancelled on stop: SQS (and the emulator) keep serving a long poll whose client
                // hung up, so the next message would be handed to nobody and stay hidden for a whole
                // visibility timeout. Stopping waits for the poll (at most wait_time_seconds) instead
                // and makes whatever it brought visible again at once.
                var response = await _sqs.ReceiveMessageAsync(request, CancellationToken.None).ConfigureAwait(false);
                messages = response.Messages ?? [];
                _counters.CountReceiveMessage(messages.Count);
            }
#pragma warning disable CA1031 // a failed poll is logged and retried; the consumer must keep running
            catch (Exception failure)
#pragma warning restore CA1031
            {
                _budget.Release(reserved);
                LogReceiveFailed(_logger, queue, failure);
                await DelayAsync(TimeSpan.FromSeconds(Math.Max(1, _settings.PollingInterval.TotalSeconds)), stopping).ConfigureAwait(false);
                continue;
            }

            if (stopping.IsCancellationRequested)
            {
                _budget.Release(reserved);
                await ReleaseReceivedAsync(queue, queueUrl, messages).ConfigureAwait(false);
                return;
            }

            _budget.Release(reserved - messages.Count);
            foreach (var message in messages)
            {
                await HandOutAsync(queue, queueUrl, message).ConfigureAwait(false);
            }

            if (messages.Count == 0 && _settings.WaitTimeSeconds == 0)
            {
                await DelayAsync(_settings.PollingInterval, stopping).ConfigureAwait(false);
            }
        }
    }

    private async Task ReleaseReceivedAsync(string queue, string queueUrl, List<Message> messages)
    {
        try
        {
            await Task.WhenAll(messages.Select(m => _batcher.ChangeVisibilityAsync(queueUrl, m.ReceiptHandle, 0, CancellationToken.None)))
                .ConfigureAwait(false);
        }
#pragma warning disable CA1031 // an unreleased message still comes back after its visibility timeout
        catch (Exception failure)
#pragma warning restore CA1031
        {
            LogReceiveFailed(_logger, queue, failure);
        }
    }

    private async Task HandOutAsync(string queue, string queueUrl, Message message)
    {
        SqsDecodedEnvelope envelope;
        try
        {
            envelope = SqsEnvelope.Decode(message.Body ?? string.Empty);
        }
#pragma warning disable CA1031 // an undecodable envelope is a poison message: the worker dead-letters it
        catch (Exception failure)
#pragma warning restore CA1031
        {
            // Handed out as it is, under a content type no one accepts, so that the consumer settles it
            // once with one log line (the worker moves it to its dead-letter queue) instead of it vanishing here.
            LogUndecodable(_logger, message.MessageId, queue, failure, SqsEnvelope.UndecodableContentType);
            envelope = SqsEnvelope.Undecodable(message.Body ?? string.Empty);
        }

        var receiveCount = 1;
        if (message.Attributes?.TryGetValue(ReceiveCountAttribute, out var countText) == true)
        {
            _ = int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out receiveCount);
        }

        // SentTimestamp: epoch milliseconds when SQS accepted the message (the queue-latency metric's start).
        DateTimeOffset? sentAt = message.Attributes?.TryGetValue(SentTimestampAttribute, out var sentText) == true
            && long.TryParse(sentText, NumberStyles.None, CultureInfo.InvariantCulture, out var sentMilliseconds)
                ? DateTimeOffset.FromUnixTimeMilliseconds(sentMilliseconds)
                : null;
        var delivery = new SqsDelivery(this, _batcher, envelope, queue, queueUrl, message.ReceiptHandle, message.MessageId, receiveCount)
        {
            SentAt = sentAt,
        };
        _unsettled[delivery] = 0;
        _deliveries.Writer.TryWrite(delivery);
    }

    private int FairShare()
    {
        var limit = _budget.Limit;
        return limit == 0
            ? MaxMessagesPerReceive
            : Math.Clamp((limit + _queues.Count - 1) / _queues.Count, 1, MaxMessagesPerReceive);
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(delay, _timeProvider, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQS receive from queue {Queue} failed; retrying")]
    private static partial void LogReceiveFailed(ILogger logger, string queue, Exception failure);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SQS message {MessageId} in queue {Queue} is not a kombu envelope; handed out as {ContentType}")]
    private static partial void LogUndecodable(ILogger logger, string messageId, string queue, Exception error, string contentType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not make {Count} unsettled SQS messages visible again; they return after their visibility timeout")]
    private static partial void LogReleaseFailed(ILogger logger, int count, Exception failure);
}
