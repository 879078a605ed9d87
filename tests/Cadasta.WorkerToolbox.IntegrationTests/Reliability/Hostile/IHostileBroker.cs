using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.IntegrationTests.Reliability.Hostile;

/// <summary>A broker namespace of the fuzzer's own (a RabbitMQ virtual host, an SQS queue prefix), written to raw.</summary>
internal interface IHostileBroker : IAsyncDisposable
{
    string Name { get; }

    /// <summary>The broker part of the worker's environment (CELERY_BROKER_URL...).</summary>
    IReadOnlyDictionary<string, string> WorkerEnvironment { get; }

    /// <summary>Creates the namespace (the worker declares the queues itself).</summary>
    Task PrepareAsync();

    /// <summary>Publishes the message straight to the worker's queue, as a foreign producer would.</summary>
    Task SendAsync(HostileMessage message);

    /// <summary>Messages in the queue (SQS: in flight included).</summary>
    Task<long> DepthAsync(string queue);

    /// <summary>Takes every message out of the queue.</summary>
    Task<List<TransportMessage>> DrainAsync(string queue);
}
