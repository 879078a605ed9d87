using Amazon.SQS.Model;
using Cadasta.WorkerToolbox.Cli.Commands;
using Cadasta.WorkerToolbox.IntegrationTests.Transports.Sqs;
using Cadasta.WorkerToolbox.TestSupport.Cli;
using Cadasta.WorkerToolbox.TestSupport.Interop;
using RabbitMQ.Client;

namespace Cadasta.WorkerToolbox.IntegrationTests.Cli;

/// <summary><c>cadasta-worker setup</c> against the real brokers: what it says it declared exists.</summary>
public sealed class SetupCommandTests
{
    [Fact]
    public async Task Setup_declares_the_cadasta_topology_on_RabbitMQ()
    {
        await RequiredService.RabbitMq.EnsureAsync();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var environment = new Dictionary<string, string>
        {
            ["CELERY_BROKER_URL"] = RequiredService.RabbitMqUrl,
            ["CELERY_QUEUES"] = $"('setup-{suffix}',)",
            ["CELERY_PLATFORM_QUEUE_NAME"] = $"setup-{suffix}.fifo",
            ["CELERY_TASK_DEFAULT_EXCHANGE"] = $"setup-{suffix}-exchange",
        };

        var (exit, output, error) = await CommandRunner.RunAsync(SetupCommand.Create(environment), "setup");

        Assert.True(exit == 0, error);
        Assert.Contains("amqp://guest:****@", output, StringComparison.Ordinal);
        Assert.Contains($"queue setup-{suffix}.fifo bound to setup-{suffix}-exchange with '#'", output, StringComparison.Ordinal);
        var factory = new ConnectionFactory { Uri = new Uri("amqp://guest:guest@127.0.0.1:5672/") };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            await channel.ExchangeDeclarePassiveAsync($"setup-{suffix}-exchange");
            await channel.QueueDeclarePassiveAsync($"setup-{suffix}");
            await channel.QueueDeclarePassiveAsync($"setup-{suffix}.fifo");
        }
        finally
        {
            await channel.QueueDeleteAsync($"setup-{suffix}");
            await channel.QueueDeleteAsync($"setup-{suffix}.fifo");
            await channel.ExchangeDeleteAsync($"setup-{suffix}-exchange");
        }
    }

    [Fact]
    public async Task Setup_creates_the_prefixed_queues_on_SQS_with_the_platform_queue_as_fifo()
    {
        await using var sqs = await SqsTestEnvironment.StartAsync();
        var environment = new Dictionary<string, string>
        {
            ["CELERY_BROKER_URL"] = SqsTestEnvironment.BrokerUrl,
            ["CELERY_BROKER_TRANSPORT_OPTIONS"] = $"{{'region': 'us-east-1', 'queue_name_prefix': '{sqs.Prefix}', 'is_secure': False}}",
        };

        var (exit, output, error) = await CommandRunner.RunAsync(SetupCommand.Create(environment), "setup");

        Assert.True(exit == 0, error);
        Assert.Contains("sqs://test:****@", output, StringComparison.Ordinal);
        var queues = await sqs.Client.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = sqs.Prefix });
        var names = queues.QueueUrls.Select(url => url.Split('/')[^1]).Order().ToArray();
        Assert.Equal([$"{sqs.Prefix}celery", $"{sqs.Prefix}export", $"{sqs.Prefix}msg", $"{sqs.Prefix}platform.fifo"], names);
        var attributes = await sqs.Client.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = queues.QueueUrls.Single(url => url.EndsWith("platform.fifo", StringComparison.Ordinal)),
            AttributeNames = ["FifoQueue"],
        });
        Assert.Equal("true", attributes.Attributes["FifoQueue"]);
    }
}
