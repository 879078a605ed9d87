using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Cadasta.WorkerToolbox.TestSupport.Interop;

namespace Cadasta.WorkerToolbox.IntegrationTests.Worker;

/// <summary>
/// The SQS emulator (<c>scripts/services/sqs start</c>), under a queue prefix of its own
/// (<c>CELERY_QUEUE_PREFIX</c>, kombu's <c>queue_name_prefix</c>) whose queues are deleted afterwards.
/// </summary>
public sealed class SqsInteropBroker : InteropBroker
{
    private const string Endpoint = "http://127.0.0.1:9324";
    private readonly string _prefix = $"i{Guid.NewGuid().ToString("N")[..12]}";

    public override string BrokerUrl => "sqs://test:test@127.0.0.1:9324/";

    public override string Name => "SQS";

    protected override IReadOnlyDictionary<string, string> NamespaceEnvironment => new Dictionary<string, string>
    {
        ["CELERY_QUEUE_PREFIX"] = _prefix,
    };

    // As peer.py: the toolbox's SQS options with a short long-poll, so a stopping worker returns quickly.
    protected override IReadOnlyDictionary<string, object?> BrokerSettings => new Dictionary<string, object?>
    {
        ["broker_transport_options"] = new Dictionary<string, object?>
        {
            ["region"] = "us-west-2",
            ["queue_name_prefix"] = _prefix + "-",
            ["wait_time_seconds"] = 1L,
            ["visibility_timeout"] = 20L,
            ["is_secure"] = false,
        },
    };

    /// <summary>On SQS the custom options are properties of the envelope, where kombu hands them to the platform.</summary>
    public override JsonObject? CustomOptions(JsonNode platformMessage) => platformMessage["properties"] as JsonObject;

    protected override Task PrepareAsync() => RequiredService.Sqs.EnsureAsync();

    protected override async Task CleanUpAsync()
    {
        using var client = new AmazonSQSClient(new BasicAWSCredentials("test", "test"), new AmazonSQSConfig { ServiceURL = Endpoint, AuthenticationRegion = "us-west-2" });
        try
        {
            var queues = await client.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = _prefix + "-" });
            foreach (var url in queues.QueueUrls ?? [])
            {
                await client.DeleteQueueAsync(new DeleteQueueRequest { QueueUrl = url });
            }
        }
        catch (Exception failure) when (failure is AmazonServiceException or HttpRequestException)
        {
            // The emulator is gone; its queues went with it.
        }
    }
}
