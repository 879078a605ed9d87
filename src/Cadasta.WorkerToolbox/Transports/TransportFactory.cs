using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Transports.Amqp;
using Cadasta.WorkerToolbox.Transports.Memory;
using Cadasta.WorkerToolbox.Transports.Sqs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cadasta.WorkerToolbox.Transports;

/// <summary>
/// Opens the transport a <see cref="Config"/> names: <c>broker_url</c> when set, else
/// <c>broker_transport</c> (the toolbox's default, <c>sqs</c>), as Celery picks its broker.
/// <c>sqs://</c> takes <c>broker_transport_options</c> as kombu does; <c>amqp://</c>,
/// <c>amqps://</c> and <c>pyamqp://</c> reach RabbitMQ; <c>memory://</c> is the broker inside this
/// process, shared by every transport created with the same <see cref="MemoryBroker"/>.
/// </summary>
public static class TransportFactory
{
    /// <summary>The broker URL a configuration names (<c>broker_url</c>, else <c>&lt;broker_transport&gt;://</c>).</summary>
    /// <param name="config">The configuration.</param>
    public static string BrokerUrl(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!string.IsNullOrWhiteSpace(config.BrokerUrl))
        {
            return config.BrokerUrl;
        }

        var transport = string.IsNullOrWhiteSpace(config.BrokerTransport) ? "amqp" : config.BrokerTransport;
        return transport + "://";
    }

    /// <summary>Creates the transport; nothing connects before its first use.</summary>
    /// <param name="config">The configuration naming the broker.</param>
    /// <param name="memoryBroker">The in-process broker for <c>memory://</c> (required for that scheme).</param>
    /// <param name="loggerFactory">Where the transport logs.</param>
    /// <param name="timeProvider">The clock for retries and backoff.</param>
    /// <exception cref="ConfigurationException">The broker URL names no transport we have, or <c>memory://</c> without a broker.</exception>
    public static ITransport Create(
        Config config,
        MemoryBroker? memoryBroker = null,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null)
    {
        var url = BrokerUrl(config);
        loggerFactory ??= NullLoggerFactory.Instance;
        timeProvider ??= TimeProvider.System;
        var scheme = url.Split("://", 2)[0].ToUpperInvariant();
        switch (scheme)
        {
            case "MEMORY":
                return new MemoryTransport(memoryBroker ?? throw new ConfigurationException(
                    "The broker is memory://, which lives inside one process: create the worker, producer and monitor with one shared MemoryBroker."));
            case "SQS":
                return SqsTransportFactory.Create(url, config.BrokerTransportOptions, loggerFactory, timeProvider);
            default:
                if (AmqpTransportFactory.CanCreate(url))
                {
                    config.TryGet("broker_use_ssl", out var useSsl);
                    return AmqpTransportFactory.Create(url, loggerFactory, timeProvider, new AmqpTransportSettings { Tls = AmqpTlsOptions.FromSetting(useSsl) });
                }

                throw new ConfigurationException(
                    $"The broker '{scheme.ToLowerInvariant()}://' is not supported: use sqs://, amqp://, amqps:// or memory://.");
        }
    }
}
