using Cadasta.WorkerToolbox.Routing;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Cadasta.WorkerToolbox.Transports.Amqp;

/// <summary>
/// The <c>amqp://</c> transport on RabbitMQ.Client 7. Two connections, opened on first use:
/// one publishes (a confirm-tracking channel with a bounded window of outstanding confirms) and
/// declares, the other carries one channel per consumer — so that the broker's flow control on
/// publishers never stalls acknowledgements. Both use RabbitMQ.Client's automatic recovery
/// (connection, channels, QoS, consumers and declared topology) after a lost connection.
/// </summary>
internal sealed partial class AmqpTransport : ITransport
{
    private const string PublishPurpose = "publish";
    private const string ConsumePurpose = "consume";

    private readonly AmqpBrokerAddress _address;
    private readonly AmqpTransportSettings _settings;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly ConnectionFactory _connectionFactory;
    private readonly AmqpCertificateValidator _certificateValidator;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly SemaphoreSlim _publishWindow;
    private readonly HashSet<AmqpConsumer> _consumers = [];
    private IConnection? _publishConnection;
    private IConnection? _consumeConnection;
    private IChannel? _publishChannel;
    private int _disposed;

    /// <summary>Creates the transport; nothing connects before the first call.</summary>
    /// <param name="address">The broker.</param>
    /// <param name="settings">Timing and sizing.</param>
    /// <param name="logger">Where connection losses, recoveries and retries are logged.</param>
    /// <param name="timeProvider">The clock for retry pauses and deadlines.</param>
    public AmqpTransport(AmqpBrokerAddress address, AmqpTransportSettings settings, ILogger logger, TimeProvider timeProvider)
    {
        _address = address;
        _settings = settings;
        _logger = logger;
        _timeProvider = timeProvider;
        _certificateValidator = new AmqpCertificateValidator(settings.Tls);
        _connectionFactory = address.ToConnectionFactory(settings, _certificateValidator);
        _publishWindow = new SemaphoreSlim(settings.PublishWindow, settings.PublishWindow);
    }

    /// <summary>The broker, without its password.</summary>
    public string Broker => _address.ToString();

    /// <summary>The name the connections carry in RabbitMQ (host name and process id, then the purpose).</summary>
    /// <param name="purpose"><c>publish</c> or <c>consume</c>.</param>
    internal static string ConnectionName(string purpose) =>
        $"cadasta-worker@{Environment.MachineName} pid {Environment.ProcessId} ({purpose})";

    /// <summary>Whether a channel was closed by a channel-level error (not recovered by RabbitMQ.Client) rather than by a lost connection.</summary>
    /// <param name="reason">Why the channel closed.</param>
    internal static bool IsChannelError(ShutdownEventArgs reason) =>
        reason.Initiator == ShutdownInitiator.Peer && reason.ReplyCode is 403 or 404 or 405 or 406;

    /// <inheritdoc />
    public async Task DeclareAsync(Topology topology, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topology);
        var connection = await GetConnectionAsync(PublishPurpose, cancellationToken).ConfigureAwait(false);
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (channel.ConfigureAwait(false))
        {
            // As kombu declares them (kombu/entity.py): no arguments, not internal, not passive.
            foreach (var exchange in topology.Exchanges)
            {
                await channel.ExchangeDeclareAsync(
                    exchange.Name, exchange.Type, exchange.Durable, exchange.AutoDelete,
                    arguments: null, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            foreach (var queue in topology.Queues)
            {
                await channel.QueueDeclareAsync(
                    queue.Name, queue.Durable, queue.Exclusive, queue.AutoDelete,
                    arguments: null, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            foreach (var binding in topology.Bindings)
            {
                await channel.QueueBindAsync(
                    binding.Queue, binding.Exchange, binding.RoutingKey,
                    arguments: null, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            await channel.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task PublishAsync(string exchange, string routingKey, TransportMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentNullException.ThrowIfNull(routingKey);
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        // Mapping errors are the caller's: raise them before touching the network.
        var properties = AmqpMessageMapping.ToBasicProperties(message);
        await _publishWindow.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await PublishWithRetryAsync(exchange, routingKey, properties, message.Body, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _publishWindow.Release();
        }
    }

    /// <inheritdoc />
    public async Task<ITransportConsumer> ConsumeAsync(IReadOnlyList<string> queues, int prefetchCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentOutOfRangeException.ThrowIfNegative(prefetchCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefetchCount, ushort.MaxValue);
        if (queues.Count == 0)
        {
            throw new ArgumentException("At least one queue is needed.", nameof(queues));
        }

        var connection = await GetConnectionAsync(ConsumePurpose, cancellationToken).ConfigureAwait(false);
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var consumer = await AmqpConsumer.StartAsync(channel, [.. queues], prefetchCount, _logger, OnConsumerDisposed, cancellationToken)
            .ConfigureAwait(false);
        lock (_consumers)
        {
            _consumers.Add(consumer);
        }

        return consumer;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        AmqpConsumer[] consumers;
        lock (_consumers)
        {
            consumers = [.. _consumers];
        }

        foreach (var consumer in consumers)
        {
            await consumer.DisposeAsync().ConfigureAwait(false);
        }

        await _connectLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_publishChannel is not null)
            {
                await _publishChannel.DisposeAsync().ConfigureAwait(false);
            }

            foreach (var connection in new[] { _publishConnection, _consumeConnection })
            {
                if (connection is null)
                {
                    continue;
                }

                try
                {
                    await connection.CloseAsync().ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is OperationInterruptedException or IOException)
                {
                    // Already gone; nothing to close.
                }

                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private async Task PublishWithRetryAsync(
        string exchange, string routingKey, BasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var deadline = _timeProvider.GetUtcNow() + _settings.PublishRetryTimeout;
        var channelErrors = 0;
        for (var attempt = 1; ; attempt++)
        {
            Exception failure;
            try
            {
                var channel = await GetPublishChannelAsync(cancellationToken).ConfigureAwait(false);

                // With confirmation tracking on, this completes when the broker acks the message
                // and throws PublishException when it nacks; many calls wait at once.
                await channel.BasicPublishAsync(exchange, routingKey, mandatory: false, properties, body, cancellationToken)
                    .ConfigureAwait(false);
                return;
            }
            catch (PublishException exception)
            {
                throw new AmqpTransportException(
                    $"The broker {Broker} refused (nack) the message published to exchange '{exchange}' with routing key '{routingKey}'.",
                    exception);
            }
            catch (Exception exception) when (IsConnectionFailure(exception) && !cancellationToken.IsCancellationRequested)
            {
                failure = exception;
            }

            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            var channelError = failure is OperationInterruptedException { ShutdownReason: { } reason } && IsChannelError(reason);
            if (channelError)
            {
                channelErrors++;
            }

            if (_timeProvider.GetUtcNow() >= deadline || channelErrors >= _settings.MaxChannelErrorAttempts)
            {
                throw new AmqpTransportException(
                    $"The message published to exchange '{exchange}' with routing key '{routingKey}' was not confirmed by {Broker} " +
                    $"after {attempt} attempt(s): {Describe(failure)}",
                    failure);
            }

            AmqpLog.PublishRetry(_logger, exchange, routingKey, Describe(failure), attempt);
            if (!channelError)
            {
                await Task.Delay(_settings.PublishRetryDelay, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Failures a later attempt may overcome: a lost or refused connection, a closed channel (not a refused login).</summary>
    private static bool IsConnectionFailure(Exception exception) =>
        exception is OperationInterruptedException or IOException
            or AmqpTransportException { InnerException: BrokerUnreachableException { InnerException: not AuthenticationFailureException } };

    private static System.Security.Authentication.AuthenticationException? FindTlsFailure(Exception exception)
    {
        for (Exception? inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Security.Authentication.AuthenticationException tls)
            {
                return tls;
            }

            if (inner is AggregateException aggregate)
            {
                return aggregate.InnerExceptions.Select(FindTlsFailure).FirstOrDefault(found => found is not null);
            }
        }

        return null;
    }

    private static string Describe(Exception exception) => exception switch
    {
        OperationInterruptedException { ShutdownReason: { } reason } => $"{reason.ReplyCode} {reason.ReplyText}",
        _ => exception.Message,
    };

    private async Task<IChannel> GetPublishChannelAsync(CancellationToken cancellationToken)
    {
        var channel = _publishChannel;
        if (channel is not null && !IsBroken(channel))
        {
            // While the connection is down the channel is closed; RabbitMQ.Client reopens it on recovery.
            return channel;
        }

        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_publishChannel is not null && !IsBroken(_publishChannel))
            {
                return _publishChannel;
            }

            if (_publishChannel is not null)
            {
                // Closed by the broker over a channel error (e.g. publishing to a missing exchange);
                // automatic recovery only handles lost connections, so open a new one.
                await _publishChannel.DisposeAsync().ConfigureAwait(false);
                _publishChannel = null;
            }

            var connection = await ConnectLockedAsync(PublishPurpose, cancellationToken).ConfigureAwait(false);
            var options = new CreateChannelOptions(
                publisherConfirmationsEnabled: true,
                publisherConfirmationTrackingEnabled: true,
                outstandingPublisherConfirmationsRateLimiter: null);
            var created = await connection.CreateChannelAsync(options, cancellationToken).ConfigureAwait(false);
            created.ChannelShutdownAsync += OnPublishChannelShutdownAsync;
            _publishChannel = created;
            return created;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    /// <summary>Closed by a channel error, which RabbitMQ.Client does not recover (it only recovers lost connections).</summary>
    private static bool IsBroken(IChannel channel) =>
        channel.IsClosed && channel.CloseReason is { } reason && IsChannelError(reason);

    private Task OnPublishChannelShutdownAsync(object sender, ShutdownEventArgs args)
    {
        if (IsChannelError(args))
        {
            AmqpLog.ChannelClosedByBroker(_logger, PublishPurpose, $"{args.ReplyCode} {args.ReplyText}");
        }

        return Task.CompletedTask;
    }

    private async Task<IConnection> GetConnectionAsync(string purpose, CancellationToken cancellationToken)
    {
        var existing = purpose == PublishPurpose ? _publishConnection : _consumeConnection;
        if (existing is not null)
        {
            return existing;
        }

        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ConnectLockedAsync(purpose, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private async Task<IConnection> ConnectLockedAsync(string purpose, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var existing = purpose == PublishPurpose ? _publishConnection : _consumeConnection;
        if (existing is not null)
        {
            return existing;
        }

        var connection = await OpenConnectionAsync(purpose, cancellationToken).ConfigureAwait(false);
        if (purpose == PublishPurpose)
        {
            _publishConnection = connection;
        }
        else
        {
            _consumeConnection = connection;
        }

        return connection;
    }

    private async Task<IConnection> OpenConnectionAsync(string purpose, CancellationToken cancellationToken)
    {
        var name = ConnectionName(purpose);
        var deadline = _timeProvider.GetUtcNow() + _settings.ConnectTimeout;
        var delay = _settings.InitialConnectDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var connection = await _connectionFactory.CreateConnectionAsync(name, cancellationToken).ConfigureAwait(false);
                connection.ConnectionShutdownAsync += (_, args) => OnConnectionShutdownAsync(purpose, args);
                connection.RecoverySucceededAsync += (_, _) => OnRecoverySucceededAsync(purpose);
                connection.ConnectionRecoveryErrorAsync += (_, args) => OnRecoveryErrorAsync(purpose, args);
                AmqpLog.Connected(_logger, Broker, name);
                return connection;
            }
            catch (BrokerUnreachableException exception)
            {
                var reason = Describe(exception.InnerException ?? exception);
                if (exception.InnerException is AuthenticationFailureException)
                {
                    throw new AmqpTransportException($"The AMQP broker {Broker} refused the login: {reason}", exception);
                }

                if (FindTlsFailure(exception) is { } tlsFailure)
                {
                    // A certificate that is not trusted now will not be trusted in a second either: fail at once.
                    throw new AmqpTransportException(
                        $"The TLS handshake with {Broker} failed: {_certificateValidator.LastRefusal ?? tlsFailure.Message}. The connection was refused.",
                        exception);
                }

                if (_timeProvider.GetUtcNow() + delay > deadline)
                {
                    throw new AmqpTransportException(
                        $"Cannot connect to the AMQP broker {Broker} after {attempt} attempt(s): {reason}", exception);
                }

                AmqpLog.ConnectAttemptFailed(_logger, Broker, attempt, reason, delay);
                await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _settings.MaxConnectDelay.Ticks));
            }
        }
    }

    private Task OnConnectionShutdownAsync(string purpose, ShutdownEventArgs args)
    {
        // Our own close is not a loss.
        if (args.Initiator != ShutdownInitiator.Application && Volatile.Read(ref _disposed) == 0)
        {
            AmqpLog.ConnectionLost(_logger, Broker, purpose, $"{args.ReplyCode} {args.ReplyText}", _settings.NetworkRecoveryInterval);
        }

        return Task.CompletedTask;
    }

    private Task OnRecoverySucceededAsync(string purpose)
    {
        AmqpLog.ConnectionRecovered(_logger, Broker, purpose);
        return Task.CompletedTask;
    }

    private Task OnRecoveryErrorAsync(string purpose, ConnectionRecoveryErrorEventArgs args)
    {
        AmqpLog.RecoveryAttemptFailed(_logger, Broker, purpose, args.Exception.Message);
        return Task.CompletedTask;
    }

    private void OnConsumerDisposed(AmqpConsumer consumer)
    {
        lock (_consumers)
        {
            _consumers.Remove(consumer);
        }
    }
}
