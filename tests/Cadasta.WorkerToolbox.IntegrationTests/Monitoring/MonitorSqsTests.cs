using Cadasta.WorkerToolbox.TestSupport.Interop;
using Cadasta.WorkerToolbox.Transports.Sqs;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cadasta.WorkerToolbox.IntegrationTests.Monitoring;

/// <summary>
/// The monitor on the SQS emulator (kombu's SQS transport on the Python side) and PostgreSQL. Each test has a queue
/// prefix of its own, so it has its own <c>platform.fifo</c>. On SQS custom options are message properties inside
/// kombu's envelope, so Python's <c>creator_id</c> and <c>is_result</c> reach the monitor.
/// </summary>
public sealed class MonitorSqsTests : MonitorInteropTests
{
    protected override bool PythonCustomOptionsSurvive => true;

    private const string BrokerUrl = "sqs://test:test@127.0.0.1:9324/";

    private protected override async Task<MonitorTestEnvironment> CreateEnvironmentAsync()
    {
        await RequiredService.Sqs.EnsureAsync();
        var prefix = $"mon{Guid.NewGuid().ToString("N")[..10]}";
        var options = new Dictionary<string, object?>
        {
            ["region"] = "us-west-2",
            ["queue_name_prefix"] = prefix + "-",
            ["is_secure"] = false,
            ["wait_time_seconds"] = 1L,
            ["visibility_timeout"] = 30L,
        };
        return await MonitorTestEnvironment.CreateAsync(
            () => SqsTransportFactory.Create(BrokerUrl, options, NullLoggerFactory.Instance, TimeProvider.System),
            "platform.fifo",
            new Dictionary<string, string>
            {
                ["CELERY_BROKER_URL"] = BrokerUrl,
                ["CELERY_RESULT_BACKEND"] = RequiredService.PostgreSqlBackendUrl,
                ["CELERY_QUEUE_PREFIX"] = prefix,
                ["CELERY_QUEUES"] = "()",
                ["AWS_DEFAULT_REGION"] = "us-west-2",
            });
    }




}
