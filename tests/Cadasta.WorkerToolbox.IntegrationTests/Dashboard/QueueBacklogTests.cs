using System.Text;
using Cadasta.WorkerToolbox.IntegrationTests.Transports.Amqp;
using Cadasta.WorkerToolbox.IntegrationTests.Transports.Sqs;
using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.IntegrationTests.Dashboard;

/// <summary>
/// The queue backlog the overview shows, from the real brokers: RabbitMQ's passive declaration and the SQS
/// emulator's ApproximateNumberOfMessages; a queue that does not exist is reported as such and is not created.
/// Each test uses queues of its own.
/// </summary>
public sealed class QueueBacklogTests
{
    private static TransportMessage Message(int i) => new() { Body = Encoding.UTF8.GetBytes($"[[{i}], {{}}, {{}}]") };

    [Fact]
    public async Task RabbitMQ_tells_the_ready_messages_of_a_queue_and_creates_none()
    {
        await AmqpTestBroker.EnsureRunningAsync();
        var prefix = AmqpTestBroker.UniqueName("backlog") + ".";
        var topology = AmqpTestBroker.CadastaTopology(prefix);
        using var loggerFactory = new TestLoggerFactory();
        await using var transport = AmqpTestBroker.CreateTransport(loggerFactory);
        try
        {
            await transport.DeclareAsync(topology);
            for (var i = 0; i < 3; i++)
            {
                await transport.PublishAsync(prefix + "task_exchange", prefix + "msg", Message(i));
            }

            var backlog = Assert.IsAssignableFrom<IQueueBacklog>(transport);
            Assert.Equal(3, await backlog.GetMessageCountAsync(prefix + "msg"));
            Assert.Equal(3, await backlog.GetMessageCountAsync(prefix + "platform.fifo"));
            Assert.Equal(0, await backlog.GetMessageCountAsync(prefix + "export"));
            Assert.Null(await backlog.GetMessageCountAsync(prefix + "missing"));

            // The transport still works after the 404 closed the channel it asked on.
            Assert.Equal(3, await backlog.GetMessageCountAsync(prefix + "msg"));
            await Assert.ThrowsAnyAsync<Exception>(() => AmqpTestBroker.MessageCountAsync(prefix + "missing"));
        }
        finally
        {
            await AmqpTestBroker.DeleteAsync(topology);
        }
    }

    [Fact]
    public async Task SQS_tells_the_approximate_number_of_messages_and_creates_no_queue()
    {
        await using var environment = await SqsTestEnvironment.StartAsync();
        var transport = environment.CreateTransport();
        var topology = AmqpTestBroker.CadastaTopology(string.Empty);
        await transport.DeclareAsync(topology);
        await transport.PublishAsync("task_exchange", "msg", Message(1));
        await transport.PublishAsync("task_exchange", "msg", Message(2));

        var backlog = Assert.IsAssignableFrom<IQueueBacklog>(transport);
        Assert.Equal(2, await backlog.GetMessageCountAsync("msg"));
        Assert.Equal(2, await backlog.GetMessageCountAsync("platform.fifo"));
        Assert.Equal(0, await backlog.GetMessageCountAsync("export"));
        Assert.Null(await backlog.GetMessageCountAsync("missing"));
        var listed = await environment.Client.ListQueuesAsync(new Amazon.SQS.Model.ListQueuesRequest { QueueNamePrefix = environment.Prefix + "missing" });
        Assert.Empty(listed.QueueUrls ?? []);
    }
}
