using System.Collections.Concurrent;
using Cadasta.WorkerToolbox.IntegrationTests.Reliability;
using Cadasta.WorkerToolbox.Routing;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Amqp;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Cadasta.WorkerToolbox.IntegrationTests.Transports.Amqp;

/// <summary>
/// Restarts RabbitMQ in the middle of publishing and consuming: the private node of the
/// reliability collection (never the shared broker), on a virtual host of this test.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class AmqpBrokerRestartTests(ReliabilityServices services, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Count = 1000;
    private readonly string _prefix = AmqpTestBroker.UniqueName("restart") + ".";
    private readonly TestLoggerFactory _logs = new(output);
    private Topology _topology = null!;
    private string _url = null!;

    public async Task InitializeAsync()
    {
        _topology = AmqpTestBroker.CadastaTopology(_prefix);
        _url = await services.RabbitMq.CreateVirtualHostAsync(_prefix.TrimEnd('.'));
    }

    public async Task DisposeAsync()
    {
        await services.RabbitMq.StartAgainAsync(); // whatever happened, leave the node running for the collection's other tests
        await services.RabbitMq.CtlAsync("delete_vhost", _prefix.TrimEnd('.'));
    }

    [Fact]
    public async Task A_broker_restart_loses_no_message_and_the_consumer_resumes_by_itself()
    {
        var queue = _prefix + "msg";
        await using var transport = AmqpTestBroker.CreateTransport(_logs, url: _url);
        await transport.DeclareAsync(_topology);
        var consumer = await transport.ConsumeAsync([queue], prefetchCount: 50);
        var seen = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var heldAcrossRestart = new List<Delivery>();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        var consuming = Task.Run(async () =>
        {
            await foreach (var delivery in consumer.Deliveries.ReadAllAsync(stop.Token))
            {
                seen.AddOrUpdate((string)delivery.Message.Headers["id"]!, 1, (_, n) => n + 1);
                if (heldAcrossRestart.Count < 5 && !delivery.Redelivered)
                {
                    heldAcrossRestart.Add(delivery); // settled only after the restart
                    continue;
                }

                await Task.Delay(2, stop.Token);
                await delivery.AckAsync(stop.Token);
                if (seen.Count == Count && heldAcrossRestart.Count == 5)
                {
                    return;
                }
            }
        });

        var published = 0;
        var restarted = new TaskCompletionSource();
        var publishing = Parallel.ForEachAsync(
            Enumerable.Range(0, Count),
            new ParallelOptions { MaxDegreeOfParallelism = 10, CancellationToken = stop.Token },
            async (i, token) =>
            {
                await transport.PublishAsync(_prefix + "task_exchange", queue, AmqpTransportTests.Message(i), token);
                if (Interlocked.Increment(ref published) == 300)
                {
                    restarted.TrySetResult();
                }

                await Task.Delay(20, token);
            });

        await restarted.Task.WaitAsync(stop.Token);
        output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} stopping RabbitMQ after {published} confirmed publishes, {seen.Count} consumed");
        await services.RabbitMq.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        await services.RabbitMq.StartAgainAsync();
        output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} RabbitMQ ready again");

        await publishing; // every publish completed after the recovery; none threw
        await WaitUntilAsync(() => seen.Count == Count, stop.Token);

        // Deliveries from the lost connection: settling them does nothing (the broker requeued them).
        foreach (var stale in heldAcrossRestart)
        {
            await stale.AckAsync();
        }

        await consuming.WaitAsync(stop.Token);
        await consumer.DisposeAsync();

        Assert.Equal(Count, seen.Count);
        Assert.All(heldAcrossRestart, d => Assert.True(seen[(string)d.Message.Headers["id"]!] >= 2));
        Assert.Equal(0u, await AmqpTestBroker.MessageCountAsync(queue, _url)); // all acked: none returned on dispose
        Assert.Equal(2, _logs.Entries.Count(e => e.Level == LogLevel.Warning && e.Message.Contains("lost", StringComparison.Ordinal)));
        Assert.Equal(2, _logs.Entries.Count(e => e.Level == LogLevel.Information && e.Message.Contains("recovered", StringComparison.Ordinal)));
        Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Debug && e.Message.Contains("requeued it", StringComparison.Ordinal));
        output.WriteLine($"consumed {seen.Values.Sum()} deliveries of {Count} messages ({seen.Values.Count(n => n > 1)} delivered more than once)");
    }

    [Fact]
    public async Task A_publish_fails_with_an_exception_when_the_broker_stays_down_longer_than_the_retry_window()
    {
        var queue = _prefix + "msg";
        var settings = new AmqpTransportSettings { PublishRetryTimeout = TimeSpan.FromSeconds(2), NetworkRecoveryInterval = TimeSpan.FromSeconds(1) };
        await using var transport = AmqpTestBroker.CreateTransport(_logs, settings, _url);
        await transport.DeclareAsync(_topology);
        await transport.PublishAsync(_prefix + "task_exchange", queue, AmqpTransportTests.Message(1));

        await services.RabbitMq.StopAsync();
        var error = await Assert.ThrowsAsync<AmqpTransportException>(
            () => transport.PublishAsync(_prefix + "task_exchange", queue, AmqpTransportTests.Message(2)));
        output.WriteLine(error.Message);
        Assert.Contains("not confirmed", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("guest:guest", error.ToString(), StringComparison.Ordinal);

        await services.RabbitMq.StartAgainAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await transport.PublishAsync(_prefix + "task_exchange", queue, AmqpTransportTests.Message(3));
                break;
            }
            catch (AmqpTransportException) when (DateTime.UtcNow < deadline)
            {
                // Still recovering (the retry window is only 2 s here).
            }
        }

        Assert.Equal(2u, await AmqpTestBroker.MessageCountAsync(queue, _url)); // 1 and 3; 2 was reported as failed
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(100, cancellationToken);
        }
    }
}
