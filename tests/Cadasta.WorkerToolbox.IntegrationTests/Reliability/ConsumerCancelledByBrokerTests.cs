using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.IntegrationTests.Transports.Amqp;
using Cadasta.WorkerToolbox.Producing;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Amqp;
using Cadasta.WorkerToolbox.Worker;
using Cadasta.WorkerToolbox.Worker.Demo;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace Cadasta.WorkerToolbox.IntegrationTests.Reliability;

/// <summary>
/// A consumed queue deleted under a consumer: RabbitMQ cancels the consumer (<c>basic.cancel</c>).
/// The consumer's deliveries then complete with an error and the worker reports the end of its
/// consumer (critical log, faulted <see cref="TaskWorker.ConsumerCompletion"/>) instead of waiting
/// forever. Runs on a virtual host of its own on the private node.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class ConsumerCancelledByBrokerTests(ReliabilityServices services, ITestOutputHelper output)
{
    [Fact]
    public async Task Deleting_a_consumed_queue_completes_the_deliveries_with_an_error_and_loses_no_message_of_the_other_queue()
    {
        var url = await services.RabbitMq.CreateVirtualHostAsync("cancel-" + Guid.NewGuid().ToString("N")[..8]);
        var logs = new TestLoggerFactory(output);
        await using var transport = AmqpTransportFactory.Create(url, logs, TimeProvider.System, new AmqpTransportSettings());
        var topology = AmqpTestBroker.CadastaTopology("c.");
        await transport.DeclareAsync(topology);
        var consumer = await transport.ConsumeAsync(["c.msg", "c.celery"], 10);

        await WithChannelAsync(url, channel => channel.QueueDeleteAsync("c.msg"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var error = await Assert.ThrowsAsync<AmqpTransportException>(async () =>
        {
            await foreach (var _ in consumer.Deliveries.ReadAllAsync(timeout.Token))
            {
            }
        });
        output.WriteLine(error.Message);
        Assert.Contains("'c.msg'", error.Message, StringComparison.Ordinal);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("cancelled the consumer of queue 'c.msg'", StringComparison.Ordinal));

        // The consumer also gave up its other queue: a message published there waits for another consumer.
        await transport.PublishAsync("c.task_exchange", "c.celery", AmqpTransportTests.Message(1));
        await using (consumer)
        {
            var successor = await transport.ConsumeAsync(["c.celery"], 1);
            await using (successor)
            {
                var delivery = await successor.Deliveries.ReadAsync(timeout.Token);
                await delivery.AckAsync();
            }
        }
    }

    [Fact]
    public async Task A_worker_whose_queue_is_deleted_fails_loudly()
    {
        var vhost = "cancelw-" + Guid.NewGuid().ToString("N")[..8];
        var url = await services.RabbitMq.CreateVirtualHostAsync(vhost);
        var database = Path.Combine(Path.GetTempPath(), $"cancel-{Guid.NewGuid():N}.db");
        var config = new Config(
            new Dictionary<string, object?> { ["broker_url"] = url, ["result_backend"] = "db+sqlite:///" + database, ["QUEUES"] = new List<object?> { "msg" } },
            environment: new Dictionary<string, string>());
        var logs = new TestLoggerFactory(output);
        await using var transport = TransportFactory.Create(config, loggerFactory: logs);
        await using var store = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = config.ResultBackend! });
        await store.EnsureSchemaAsync();
        var producer = new TaskProducer(config, transport);
        var worker = new TaskWorker(DemoTasks.Register(new TaskRegistry()), transport, store, producer, WorkerOptions.FromConfig(config), logger: new Logger<TaskWorker>(logs));
        await using (worker)
        {
            await worker.StartAsync();
            var id = await producer.SendTaskAsync("msg.add", [1L, 2L]);
            Assert.Equal(3L, (await new AsyncResult(id, store).GetAsync(TimeSpan.FromSeconds(30))));

            await WithChannelAsync(url, channel => channel.QueueDeleteAsync("msg"));
            var failure = await Assert.ThrowsAsync<AmqpTransportException>(() => worker.ConsumerCompletion.WaitAsync(TimeSpan.FromSeconds(30)));
            output.WriteLine(failure.Message);
            Assert.Contains(logs.Entries, e => e.Level == LogLevel.Critical && e.Message.Contains("receives no more tasks", StringComparison.Ordinal));

            await worker.StopAsync(TimeSpan.FromSeconds(5)); // stopping afterwards is quiet: the failure is reported once, not thrown again
        }

        File.Delete(database);
    }

    private static async Task WithChannelAsync(string url, Func<IChannel, Task> action)
    {
        var factory = new ConnectionFactory { Uri = new Uri(url) };
        await using var connection = await factory.CreateConnectionAsync("reliability inspection");
        await using var channel = await connection.CreateChannelAsync();
        await action(channel);
    }
}
