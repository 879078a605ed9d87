using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Producing;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Memory;
using Cadasta.WorkerToolbox.Worker;
using Cadasta.WorkerToolbox.Worker.Demo;

namespace Cadasta.WorkerToolbox.IntegrationTests.Reliability;

/// <summary>
/// With late acks, a task whose outcome cannot be stored (PostgreSQL unreachable: nothing listens
/// on the port) is never acknowledged: the worker returns it to the broker, where it waits for a
/// worker that can store its result.
/// </summary>
public sealed class UnreachableResultDatabaseTests
{
    [Fact]
    public async Task An_unreachable_result_database_leaves_the_message_unacked_in_the_broker()
    {
        var config = new Config(
            new Dictionary<string, object?> { ["broker_url"] = "memory://", ["task_acks_late"] = true, ["worker_concurrency"] = 1L },
            environment: new Dictionary<string, string>());
        var broker = new MemoryBroker();
        await using var store = new FailureCountingStore(new DatabaseResultStore(new ResultStoreOptions
        {
            BackendUrl = "db+postgresql://worker:cadasta@127.0.0.1:1/cadasta",
            MaxWriteAttempts = 2,
            RetryInitialDelay = TimeSpan.FromMilliseconds(10),
            RetryMaxDelay = TimeSpan.FromMilliseconds(20),
        }));
        await using var workerTransport = TransportFactory.Create(config, broker);
        var producer = new TaskProducer(config, workerTransport);
        var taskId = await producer.SendTaskAsync("msg.add", [2L, 3L]);

        var worker = new TaskWorker(DemoTasks.Register(new TaskRegistry()), workerTransport, store, producer, WorkerOptions.FromConfig(config));
        await using (worker)
        {
            await worker.StartAsync();

            // Each run fails to store its outcome and gives the message back; let that happen twice.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (store.Failures < 2 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            Assert.True(store.Failures >= 2, $"The worker made {store.Failures} failed writes.");

            await worker.StopAsync(TimeSpan.FromSeconds(5));
        }

        // Nothing was acknowledged: the task message is still in its queue, redelivered.
        await using var transport = TransportFactory.Create(config, broker);
        await using var consumer = await transport.ConsumeAsync(["msg"], 1);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var delivery = await consumer.Deliveries.ReadAsync(timeout.Token);
        Assert.Equal(taskId, delivery.Message.Headers["id"]);
        Assert.True(delivery.Redelivered);
    }

    /// <summary>Counts the writes the real store refused (it throws once it gave up retrying).</summary>
    private sealed class FailureCountingStore(IResultStore inner) : IResultStore
    {
        private int _failures;

        public int Failures => Volatile.Read(ref _failures);

        public async Task StoreAsync(TaskResult result, CancellationToken cancellationToken = default)
        {
            try
            {
                await inner.StoreAsync(result, cancellationToken);
            }
            catch
            {
                Interlocked.Increment(ref _failures);
                throw;
            }
        }

        public Task<TaskResult?> ReadAsync(string taskId, CancellationToken cancellationToken = default) => inner.ReadAsync(taskId, cancellationToken);

        public Task EnsureSchemaAsync(CancellationToken cancellationToken = default) => inner.EnsureSchemaAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
