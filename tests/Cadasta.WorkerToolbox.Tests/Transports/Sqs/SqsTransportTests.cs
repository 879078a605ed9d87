using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Sqs;

namespace Cadasta.WorkerToolbox.Tests.Transports.Sqs;

/// <summary>What the transport decides before it talks to SQS (no network: these paths make no call).</summary>
public sealed class SqsTransportTests
{
    private static readonly Dictionary<string, object?> Options = new() { ["region"] = "us-west-2", ["queue_name_prefix"] = "dev-", ["is_secure"] = false };

    [Fact]
    public async Task Publishing_through_an_exchange_before_declaring_throws()
    {
        await using var transport = SqsTransportFactory.Create("sqs://k:s@127.0.0.1:1/", Options);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            transport.PublishAsync("task_exchange", "export", new TransportMessage { Body = "[]"u8.ToArray() }));

        Assert.Contains("DeclareAsync", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Queue_names_carry_the_prefix_and_kombu_rules()
    {
        await using var transport = SqsTransportFactory.CreateTransport("sqs://k:s@127.0.0.1:1/", Options, null, null);

        Assert.Equal("dev-platform.fifo", transport.SqsQueueName("platform.fifo"));
        Assert.Equal("dev-export-project", transport.SqsQueueName("export.project"));
        Assert.Equal(new Uri("http://127.0.0.1:1/"), transport.Settings.ServiceUrl);
    }

    [Fact]
    public void An_access_key_without_secret_is_refused() =>
        Assert.Throws<ArgumentException>(() => SqsTransportFactory.Create("sqs://onlykey@", Options));
}
