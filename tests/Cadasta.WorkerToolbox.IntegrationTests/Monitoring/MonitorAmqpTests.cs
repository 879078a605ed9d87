using Cadasta.WorkerToolbox.TestSupport.Interop;
using Cadasta.WorkerToolbox.Transports.Amqp;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;

namespace Cadasta.WorkerToolbox.IntegrationTests.Monitoring;

/// <summary>The monitor on RabbitMQ and PostgreSQL, with Python Celery 5.2 as the other producer.</summary>
public sealed class MonitorAmqpTests : MonitorInteropTests
{
    // py-amqp sends only AMQP's standard properties: a Python producer's custom options are lost.
    protected override bool PythonCustomOptionsSurvive => false;

    private protected override Task<MonitorTestEnvironment> CreateEnvironmentAsync() => CreateAmqpEnvironmentAsync();

    internal static async Task<MonitorTestEnvironment> CreateAmqpEnvironmentAsync(string? backendUrl = null)
    {
        await RequiredService.RabbitMq.EnsureAsync();
        var queue = $"montest-{Guid.NewGuid():N}.fifo";
        return await MonitorTestEnvironment.CreateAsync(
            () => AmqpTransportFactory.Create(RequiredService.RabbitMqUrl, NullLoggerFactory.Instance, TimeProvider.System),
            queue,
            new Dictionary<string, string>
            {
                ["CELERY_BROKER_URL"] = RequiredService.RabbitMqUrl,
                ["CELERY_RESULT_BACKEND"] = backendUrl ?? RequiredService.PostgreSqlBackendUrl,
                ["CELERY_PLATFORM_QUEUE_NAME"] = queue,
                ["CELERY_QUEUES"] = "()",
            },
            // The queue is bound with '#' and would collect a copy of every message sent after the test.
            async () => await DeleteQueueAsync(queue),
            backendUrl);
    }





    private static async Task DeleteQueueAsync(string queue)
    {
        var factory = new ConnectionFactory { Uri = new Uri("amqp://guest:guest@127.0.0.1:5672/") };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false);
    }
}
