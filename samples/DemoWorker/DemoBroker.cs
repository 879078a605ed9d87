using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Amqp;
using Cadasta.WorkerToolbox.Transports.Memory;
using Cadasta.WorkerToolbox.Transports.Sqs;
using Microsoft.Extensions.Logging;

/// <summary>Connects to the broker the configuration names.</summary>
internal static class DemoBroker
{
    public static ITransport Connect(Config config, ILoggerFactory loggerFactory)
    {
        var url = config.BrokerUrl ?? (config.BrokerTransport ?? "sqs") + "://";
        if (url.StartsWith("memory://", StringComparison.OrdinalIgnoreCase))
        {
            // In-process only: useful when a producer runs in the same process (the CLI's demo command).
            return new MemoryTransport(new MemoryBroker(loggerFactory.CreateLogger<MemoryBroker>()));
        }

        if (AmqpTransportFactory.CanCreate(url))
        {
            return AmqpTransportFactory.Create(url, loggerFactory, TimeProvider.System);
        }

        if (url.StartsWith("sqs://", StringComparison.OrdinalIgnoreCase))
        {
            return SqsTransportFactory.Create(url, config.BrokerTransportOptions, loggerFactory, TimeProvider.System);
        }

        throw new ConfigurationException($"Unsupported broker URL '{url}': use memory://, amqp:// or sqs://.");
    }
}
