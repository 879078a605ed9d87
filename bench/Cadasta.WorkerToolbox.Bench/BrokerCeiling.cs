using System.Diagnostics;
using System.Globalization;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Cadasta.WorkerToolbox.Bench;

/// <summary>
/// The broker's end-to-end ceiling with raw RabbitMQ.Client: persistent messages published with
/// confirms (at most --window outstanding) while a consumer (prefetch 200) acks each one; no work.
/// Also the publish-only rate (confirms, same window) on a second queue.
/// </summary>
internal static class BrokerCeiling
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        var n = options.Int("n", 20000);
        var window = options.Int("window", 256);
        var body = new byte[options.Int("body", 400)];
        var factory = new ConnectionFactory { Uri = new Uri(options.Text("url", "amqp://guest:guest@127.0.0.1:5672/bench")) };
        await using var publishConnection = await factory.CreateConnectionAsync();
        await using var consumeConnection = await factory.CreateConnectionAsync();
        await using var publisher = await publishConnection.CreateChannelAsync(new CreateChannelOptions(
            publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true,
            outstandingPublisherConfirmationsRateLimiter: null));
        await using var consumer = await consumeConnection.CreateChannelAsync();
        foreach (var queue in new[] { "bench.ceiling", "bench.publish-only" })
        {
            await publisher.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            await publisher.QueuePurgeAsync(queue);
        }

        var properties = new BasicProperties { Persistent = true, ContentType = "application/json" };

        // Publish only.
        var clock = Stopwatch.StartNew();
        await PublishAsync(publisher, "bench.publish-only", properties, body, n, window);
        var publishRate = n / clock.Elapsed.TotalSeconds;
        await publisher.QueuePurgeAsync("bench.publish-only");

        // End to end: publish and consume/ack at once; from the first publish to the last ack.
        await consumer.BasicQosAsync(0, 200, false);
        var acked = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var receiver = new AsyncEventingBasicConsumer(consumer);
        receiver.ReceivedAsync += async (_, delivery) =>
        {
            await consumer.BasicAckAsync(delivery.DeliveryTag, multiple: false);
            if (++acked == n)
            {
                done.TrySetResult();
            }
        };
        await consumer.BasicConsumeAsync("bench.ceiling", autoAck: false, receiver);
        clock.Restart();
        await PublishAsync(publisher, "bench.ceiling", properties, body, n, window);
        await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
        var endToEnd = n / clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"kind\":\"ceiling\",\"n\":{n},\"window\":{window},\"body_bytes\":{body.Length},\"publish_per_s\":{publishRate:F1},\"end_to_end_per_s\":{endToEnd:F1}}}"));
        return 0;
    }

    private static async Task PublishAsync(IChannel channel, string queue, BasicProperties properties, byte[] body, int n, int window)
    {
        // Each call completes at its confirm; at most `window` are outstanding.
        using var outstanding = new SemaphoreSlim(window);
        var pending = new Task[n];
        for (var i = 0; i < n; i++)
        {
            await outstanding.WaitAsync();
            pending[i] = PublishOneAsync(channel, queue, properties, body, outstanding);
        }

        await Task.WhenAll(pending);
    }

    private static async Task PublishOneAsync(IChannel channel, string queue, BasicProperties properties, byte[] body, SemaphoreSlim outstanding)
    {
        try
        {
            await channel.BasicPublishAsync(string.Empty, queue, mandatory: false, properties, body);
        }
        finally
        {
            outstanding.Release();
        }
    }
}
