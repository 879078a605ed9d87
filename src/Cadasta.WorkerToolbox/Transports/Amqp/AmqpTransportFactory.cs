using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Transports.Amqp;

/// <summary>
/// Builds the RabbitMQ transport from a Celery broker URL: <c>amqp://user:pass@host:port/vhost</c>,
/// <c>amqps://</c> (TLS, port 5671 by default) or <c>pyamqp://</c> (same as <c>amqp://</c>).
/// Missing parts default as in kombu: <c>guest</c>/<c>guest</c>, <c>localhost</c>, 5672, vhost <c>/</c>.
/// </summary>
public static class AmqpTransportFactory
{
    /// <summary>Whether <paramref name="brokerUrl"/> is a URL this transport serves (amqp, amqps, pyamqp).</summary>
    /// <param name="brokerUrl">A broker URL.</param>
    public static bool CanCreate(string brokerUrl) => AmqpBrokerAddress.Handles(brokerUrl);

    /// <summary>
    /// Creates the transport. Nothing connects yet: the first declaration, publish or consumer does,
    /// retrying for up to 30 s; after that RabbitMQ.Client's automatic recovery reconnects by itself.
    /// </summary>
    /// <param name="brokerUrl">The broker URL (Celery's <c>broker_url</c>).</param>
    /// <param name="loggerFactory">Where connection losses, recoveries and retries are logged.</param>
    /// <param name="timeProvider">The clock for retry pauses and deadlines.</param>
    /// <exception cref="FormatException">The URL is not an AMQP URL (the message never holds the password).</exception>
    public static ITransport Create(string brokerUrl, ILoggerFactory loggerFactory, TimeProvider timeProvider) =>
        Create(brokerUrl, loggerFactory, timeProvider, new AmqpTransportSettings());

    /// <summary>Creates the transport with explicit settings (tests shorten the timings).</summary>
    internal static AmqpTransport Create(string brokerUrl, ILoggerFactory loggerFactory, TimeProvider timeProvider, AmqpTransportSettings settings)
    {
        ArgumentNullException.ThrowIfNull(brokerUrl);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(settings);
        var address = AmqpBrokerAddress.Parse(brokerUrl);
        return new AmqpTransport(address, settings, loggerFactory.CreateLogger(typeof(AmqpTransport).FullName!), timeProvider);
    }
}
