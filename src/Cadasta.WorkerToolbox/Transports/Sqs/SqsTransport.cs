using System.Collections.Concurrent;
using System.Globalization;
using Amazon.SQS;
using Amazon.SQS.Model;
using Cadasta.WorkerToolbox.Routing;
using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Transports.Sqs;

/// <summary>
/// The <c>sqs://</c> transport, speaking kombu 5.2's SQS dialect: kombu's queue names, envelope
/// and FIFO fields, and kombu's client-side topic fan-out through the declared <see cref="Topology"/>.
/// Publishing through an exchange before <see cref="DeclareAsync"/> throws (kombu silently drops
/// such a message); the anonymous exchange ("") needs no declaration.
/// </summary>
internal sealed partial class SqsTransport : ITransport
{
    /// <summary>SQS's MessageBody limit as kombu and the emulator know it (256 KiB).</summary>
    public const int MaxMessageBodyBytes = 256 * 1024;

    private readonly IAmazonSQS _sqs;
    private readonly bool _ownsClient;
    private readonly SqsQueueDirectory _directory;
    private readonly SqsSettlementBatcher _batcher;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _topologyLock = new();
    private readonly ConcurrentDictionary<SqsConsumer, byte> _consumers = new();
    private Topology? _topology;
    private int _disposed;

    public SqsTransport(SqsTransportSettings settings, IAmazonSQS sqs, bool ownsClient, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        Settings = settings;
        _sqs = sqs;
        _ownsClient = ownsClient;
        _logger = loggerFactory.CreateLogger<SqsTransport>();
        _timeProvider = timeProvider;
        _directory = new SqsQueueDirectory(sqs, settings, Counters, _logger);
        _batcher = new SqsSettlementBatcher(sqs, Counters, SqsSettlementBatcher.DefaultGatherWindow, timeProvider);
        LogCreated(_logger, settings);
    }

    public SqsTransportSettings Settings { get; }

    /// <summary>The SQS API calls this transport made, by kind.</summary>
    public SqsApiCallCounters Counters { get; } = new();

    /// <summary>The SQS name of a queue (prefix applied, kombu's character rules).</summary>
    public string SqsQueueName(string queue) => _directory.SqsName(queue);

    /// <summary>The URL of a queue, created when missing.</summary>
    public Task<string> GetQueueUrlAsync(string queue, CancellationToken cancellationToken = default) =>
        _directory.GetUrlAsync(queue, cancellationToken);

    public async Task DeclareAsync(Topology topology, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topology);
        lock (_topologyLock)
        {
            _topology = _topology is null ? topology : Merge(_topology, topology);
        }

        foreach (var queue in topology.Queues)
        {
            await _directory.GetUrlAsync(queue.Name, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task PublishAsync(string exchange, string routingKey, TransportMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentNullException.ThrowIfNull(routingKey);
        ArgumentNullException.ThrowIfNull(message);
        IReadOnlyList<string> queues;
        if (exchange.Length == 0)
        {
            queues = [routingKey];
        }
        else
        {
            var topology = Volatile.Read(ref _topology) ?? throw new InvalidOperationException(
                $"Cannot publish to exchange '{exchange}' (routing key '{routingKey}') on SQS before the topology is declared: " +
                "SQS has no exchanges, the transport fans messages out to the queues bound in the topology given to DeclareAsync.");
            queues = topology.QueuesFor(exchange, routingKey);
            if (queues.Count == 0)
            {
                LogDropped(_logger, exchange, routingKey);
                return;
            }
        }

        var body = SqsEnvelope.Encode(message, exchange, routingKey, Guid.NewGuid().ToString(), Settings.Base64Encoding);

        // The body is ASCII when base64 encoded; UTF-8 counts raw JSON envelopes correctly too.
        var size = Settings.Base64Encoding ? body.Length : System.Text.Encoding.UTF8.GetByteCount(body);
        if (size > MaxMessageBodyBytes)
        {
            var task = message.Headers.GetValueOrDefault("task") is string name ? $" for task '{name}'" : string.Empty;
            throw new ArgumentException(
                $"The SQS message{task} is {size.ToString(CultureInfo.InvariantCulture)} bytes once encoded (kombu envelope, double base64); " +
                $"SQS accepts at most {MaxMessageBodyBytes.ToString(CultureInfo.InvariantCulture)} bytes (256 KiB). Pass large data by reference (a URL or a database key).",
                nameof(message));
        }

        await Task.WhenAll(queues.Select(queue => SendAsync(queue, body, message.Properties, cancellationToken))).ConfigureAwait(false);
    }

    public async Task<ITransportConsumer> ConsumeAsync(IReadOnlyList<string> queues, int prefetchCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentOutOfRangeException.ThrowIfNegative(prefetchCount);
        if (queues.Count == 0)
        {
            throw new ArgumentException("Name at least one queue to consume from.", nameof(queues));
        }

        var resolved = new List<(string Queue, string Url)>(queues.Count);
        foreach (var queue in queues.Distinct(StringComparer.Ordinal))
        {
            resolved.Add((queue, await _directory.GetUrlAsync(queue, cancellationToken).ConfigureAwait(false)));
        }

        var consumer = new SqsConsumer(_sqs, Settings, Counters, _batcher, resolved, prefetchCount, _logger, _timeProvider, c => _consumers.TryRemove(c, out _));
        _consumers[consumer] = 0;
        consumer.Start();
        return consumer;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var consumer in _consumers.Keys)
        {
            await consumer.DisposeAsync().ConfigureAwait(false);
        }

        _directory.Dispose();
        if (_ownsClient)
        {
            _sqs.Dispose();
        }
    }

    private async Task SendAsync(string queue, string body, IReadOnlyDictionary<string, object?> properties, CancellationToken cancellationToken)
    {
        var url = await _directory.GetUrlAsync(queue, cancellationToken).ConfigureAwait(false);
        var request = new SendMessageRequest { QueueUrl = url, MessageBody = body };
        if (SqsQueueNames.IsFifo(queue))
        {
            // kombu: properties override, else one group "default" (a strictly ordered stream) and a fresh id (no deduplication).
            request.MessageGroupId = properties.GetValueOrDefault("MessageGroupId") is { } group
                ? Convert.ToString(group, CultureInfo.InvariantCulture) : "default";
            request.MessageDeduplicationId = properties.GetValueOrDefault("MessageDeduplicationId") is { } dedup
                ? Convert.ToString(dedup, CultureInfo.InvariantCulture) : Guid.NewGuid().ToString();
        }

        Counters.CountSendMessage();
        await _sqs.SendMessageAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static Topology Merge(Topology known, Topology added)
    {
        var addedNames = added.Queues.Select(q => q.Name).ToHashSet(StringComparer.Ordinal);
        return new Topology(
            known.Queues.Where(q => !addedNames.Contains(q.Name)).Concat(added.Queues),
            known.Exchanges.Where(e => added.FindExchange(e.Name) is null).Concat(added.Exchanges));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SQS transport: {Settings}")]
    private static partial void LogCreated(ILogger logger, SqsTransportSettings settings);

    [LoggerMessage(Level = LogLevel.Debug, Message = "No queue is bound to exchange {Exchange} for routing key {RoutingKey}; message dropped (as kombu does)")]
    private static partial void LogDropped(ILogger logger, string exchange, string routingKey);
}
