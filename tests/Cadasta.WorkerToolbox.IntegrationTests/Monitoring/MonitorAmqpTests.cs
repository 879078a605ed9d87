using Cadasta.WorkerToolbox.TestSupport.Interop;
using Cadasta.WorkerToolbox.Transports.Amqp;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;

namespace Cadasta.WorkerToolbox.IntegrationTests.Monitoring;

/// <summary>The monitor on RabbitMQ and PostgreSQL, with Python Celery 5.2 as the other producer.</summary>
public sealed class MonitorAmqpTests
{
    internal static async Task<MonitorTestEnvironment> CreateEnvironmentAsync()
    {
        await RequiredService.RabbitMq.EnsureAsync();
        var queue = $"montest-{Guid.NewGuid():N}.fifo";
        return await MonitorTestEnvironment.CreateAsync(
            () => AmqpTransportFactory.Create(RequiredService.RabbitMqUrl, NullLoggerFactory.Instance, TimeProvider.System),
            queue,
            new Dictionary<string, string>
            {
                ["CELERY_BROKER_URL"] = RequiredService.RabbitMqUrl,
                ["CELERY_RESULT_BACKEND"] = RequiredService.PostgreSqlBackendUrl,
                ["CELERY_PLATFORM_QUEUE_NAME"] = queue,
                ["CELERY_QUEUES"] = "()",
            },
            // The queue is bound with '#' and would collect a copy of every message sent after the test.
            async () => await DeleteQueueAsync(queue));
    }

    [Fact]
    public async Task Records_what_Python_Celery_sends()
    {
        await using var environment = await CreateEnvironmentAsync();
        await environment.StartMonitorAsync();

        await MonitorInteropScenarios.PythonSendIsRecordedAsync(environment, customOptionsSurvive: false);
    }

    [Fact]
    public async Task Records_what_we_send_with_its_custom_options()
    {
        await using var environment = await CreateEnvironmentAsync();
        await environment.StartMonitorAsync();

        await MonitorInteropScenarios.OurMessageIsRecordedAsync(environment);
    }

    [Fact]
    public async Task Duplicates_from_both_sides_are_recorded_once()
    {
        await using var environment = await CreateEnvironmentAsync();
        await environment.StartMonitorAsync();

        await MonitorInteropScenarios.DuplicatesAreRecordedOnceAsync(environment);
    }

    [Fact]
    public async Task An_export_family_run_by_a_Celery_worker_has_the_platforms_overall_status_and_results()
    {
        await using var environment = await CreateEnvironmentAsync();
        await environment.StartMonitorAsync();

        await MonitorInteropScenarios.ExportFamilyFromAPythonWorkerAsync(environment, customOptionsSurvive: false);
    }

    private static async Task DeleteQueueAsync(string queue)
    {
        var factory = new ConnectionFactory { Uri = new Uri("amqp://guest:guest@127.0.0.1:5672/") };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false);
    }
}
