using Xunit.Abstractions;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Cadasta.WorkerToolbox.Routing;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Amqp;
using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.IntegrationTests.Transports.Amqp;

/// <summary>The AMQP transport against the real RabbitMQ on 127.0.0.1:5672 (unique names; removed afterwards).</summary>
[Collection(AmqpBrokerCollection.Name)]
public sealed class AmqpTransportTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _prefix = AmqpTestBroker.UniqueName("t") + ".";
    private readonly TestLoggerFactory _logs = new(output);
    private Topology _topology = null!;
    private AmqpTransport _transport = null!;

    private string Exchange => _prefix + "task_exchange";

    private string Msg => _prefix + "msg";

    private string Fifo => _prefix + "platform.fifo";

    public async Task InitializeAsync()
    {
        await AmqpTestBroker.EnsureRunningAsync();
        _topology = AmqpTestBroker.CadastaTopology(_prefix);
        _transport = AmqpTestBroker.CreateTransport(_logs);
        await _transport.DeclareAsync(_topology);
    }

    public async Task DisposeAsync()
    {
        await _transport.DisposeAsync();
        await AmqpTestBroker.DeleteAsync(_topology);
    }

    [Fact]
    public async Task Headers_and_properties_including_custom_ones_survive_a_round_trip()
    {
        var sent = new TransportMessage
        {
            Body = Encoding.UTF8.GetBytes("[[2, 3], {}, {\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}]"),
            Headers = new Dictionary<string, object?>
            {
                ["lang"] = "py",
                ["task"] = "msg.add",
                ["id"] = "11111111-2222-3333-4444-555555555555",
                ["eta"] = null,
                ["retries"] = 3L,
                ["big"] = 1L << 40,
                ["ratio"] = 0.25,
                ["ignore_result"] = false,
                ["timelimit"] = new List<object?> { 300L, null },
                ["argsrepr"] = "(2, 3) — ünïcode",
                ["nested"] = new Dictionary<string, object?> { ["list"] = new List<object?> { "a", 1L, true, null } },
            },
            Properties = new Dictionary<string, object?>
            {
                ["correlation_id"] = "11111111-2222-3333-4444-555555555555",
                ["reply_to"] = "2ce21e71-0267-3616-9f45-db4e2e9b0f23",
                ["delivery_mode"] = 2L,
                ["priority"] = 4L,
                ["expiration"] = "600000",
                ["message_id"] = "m-1",
                ["creator_id"] = "user123",
                ["related_content_type_id"] = 42L,
                ["related_object_id"] = "prj123",
                ["is_result"] = true,
            },
        };

        await _transport.PublishAsync(Exchange, Msg, sent);
        await using var consumer = await _transport.ConsumeAsync([Msg, Fifo], prefetchCount: 10);
        var first = await ReadAsync(consumer);
        var second = await ReadAsync(consumer);

        Assert.Equal(new[] { Fifo, Msg }.Order(StringComparer.Ordinal), new[] { first.Queue, second.Queue }.Order(StringComparer.Ordinal));
        foreach (var delivery in new[] { first, second })
        {
            Assert.Equal(Exchange, delivery.Exchange);
            Assert.Equal(Msg, delivery.RoutingKey);
            Assert.False(delivery.Redelivered);
            Assert.Equal(sent.Body.ToArray(), delivery.Message.Body.ToArray());
            Assert.Equal("application/json", delivery.Message.ContentType);
            Assert.Equal("utf-8", delivery.Message.ContentEncoding);
            Assert.Equal(Sorted(sent.Headers), Sorted(delivery.Message.Headers));
            Assert.Equal(Sorted(sent.Properties), Sorted(delivery.Message.Properties));
            await delivery.AckAsync();
        }
    }

    [Fact]
    public async Task Messages_are_persistent_on_the_broker()
    {
        await _transport.PublishAsync(Exchange, Msg, Message(1));

        var deliveryMode = await AmqpTestBroker.WithChannelAsync(async channel =>
        {
            var result = await channel.BasicGetAsync(Msg, autoAck: true);
            return result!.BasicProperties.DeliveryMode;
        });

        Assert.Equal(RabbitMQ.Client.DeliveryModes.Persistent, deliveryMode);
    }

    [Fact]
    public async Task Concurrent_publishes_pipeline_their_confirms_and_every_message_is_consumed()
    {
        const int count = 2000;
        var queue = _prefix + "export";

        // Warm up (JIT, channel opening) on another queue so the rate below is the steady one.
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => _transport.PublishAsync(Exchange, _prefix + "celery", Message(i))));
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => _transport.PublishAsync(Exchange, queue, Message(i))));
        var publishSeconds = stopwatch.Elapsed.TotalSeconds;

        Assert.Equal((uint)count, await AmqpTestBroker.MessageCountAsync(queue));
        stopwatch.Restart();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await using (var consumer = await _transport.ConsumeAsync([queue], prefetchCount: 200))
        {
            while (seen.Count < count)
            {
                var delivery = await ReadAsync(consumer);
                seen.Add((string)delivery.Message.Headers["id"]!);
                await delivery.AckAsync();
            }
        }

        var consumeSeconds = stopwatch.Elapsed.TotalSeconds;
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"published {count} confirmed messages in {publishSeconds:F2} s ({count / publishSeconds:F0} msg/s); consumed+acked in {consumeSeconds:F2} s ({count / consumeSeconds:F0} msg/s)"));
        Assert.Equal(count, seen.Count);
        Assert.Equal(0u, await AmqpTestBroker.MessageCountAsync(queue));
    }

    [Fact]
    public async Task Prefetch_limits_unsettled_deliveries_and_can_be_raised()
    {
        for (var i = 0; i < 10; i++)
        {
            await _transport.PublishAsync(Exchange, Msg, Message(i));
        }

        await using var consumer = await _transport.ConsumeAsync([Msg, Fifo], prefetchCount: 3);
        var held = new List<Delivery>();
        for (var i = 0; i < 3; i++)
        {
            held.Add(await ReadAsync(consumer));
        }

        // The limit covers the consumer's queues together: nothing more arrives while 3 are unsettled.
        await Task.Delay(TimeSpan.FromMilliseconds(700));
        Assert.False(consumer.Deliveries.TryRead(out _));

        await held[0].AckAsync();
        held.Add(await ReadAsync(consumer));
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.False(consumer.Deliveries.TryRead(out _));

        await consumer.SetPrefetchAsync(6);
        for (var i = 0; i < 3; i++)
        {
            held.Add(await ReadAsync(consumer));
        }

        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.False(consumer.Deliveries.TryRead(out _));
    }

    [Fact]
    public async Task Rejected_messages_are_requeued_or_dropped()
    {
        await _transport.PublishAsync(Exchange, Msg, Message(1));
        await using var consumer = await _transport.ConsumeAsync([Msg], prefetchCount: 1);

        var first = await ReadAsync(consumer);
        Assert.False(first.Redelivered);
        await first.RejectAsync(requeue: true);

        var again = await ReadAsync(consumer);
        Assert.True(again.Redelivered);
        Assert.Equal(first.Message.Headers["id"], again.Message.Headers["id"]);
        await again.RejectAsync(requeue: false);
        await Assert.ThrowsAsync<InvalidOperationException>(() => again.AckAsync());

        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.False(consumer.Deliveries.TryRead(out _));
        Assert.Equal(0u, await AmqpTestBroker.MessageCountAsync(Msg));
    }

    [Fact]
    public async Task Disposing_a_consumer_returns_its_unsettled_deliveries()
    {
        for (var i = 0; i < 5; i++)
        {
            await _transport.PublishAsync(Exchange, Msg, Message(i));
        }

        var consumer = await _transport.ConsumeAsync([Msg], prefetchCount: 5);
        var held = new List<Delivery>();
        for (var i = 0; i < 5; i++)
        {
            held.Add(await ReadAsync(consumer));
        }

        await held[0].AckAsync();
        Assert.Equal(0u, await AmqpTestBroker.MessageCountAsync(Msg));
        await consumer.DisposeAsync();

        Assert.Equal(4u, await AmqpTestBroker.MessageCountAsync(Msg));
        await held[1].AckAsync(); // settling after dispose does nothing: the broker has the message back
        await held[2].RejectAsync(requeue: false);
        Assert.Equal(4u, await AmqpTestBroker.MessageCountAsync(Msg));
        Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Debug && e.Message.Contains("requeued it", StringComparison.Ordinal));
        Assert.False(await consumer.Deliveries.WaitToReadAsync()); // completed once stopped
    }

    [Fact]
    public async Task Many_tasks_can_settle_deliveries_of_one_consumer_at_once()
    {
        const int count = 500;
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => _transport.PublishAsync(Exchange, Msg, Message(i))));
        var consumer = await _transport.ConsumeAsync([Msg], prefetchCount: count);
        var deliveries = new List<Delivery>();
        for (var i = 0; i < count; i++)
        {
            deliveries.Add(await ReadAsync(consumer));
        }

        await Task.WhenAll(deliveries.Select((d, i) => Task.Run(() => i % 5 == 0 ? d.RejectAsync(requeue: false) : d.AckAsync())));
        await consumer.DisposeAsync();

        // Had an ack been lost or garbled, disposing the consumer would have returned its message.
        Assert.Equal(0u, await AmqpTestBroker.MessageCountAsync(Msg));
    }

    [Fact]
    public async Task Publishing_to_a_missing_exchange_fails_and_the_transport_keeps_working()
    {
        var error = await Assert.ThrowsAsync<AmqpTransportException>(
            () => _transport.PublishAsync(_prefix + "no-such-exchange", "x", Message(1)));
        Assert.Contains("404", error.Message, StringComparison.Ordinal);

        await _transport.PublishAsync(Exchange, Msg, Message(2));
        Assert.Equal(1u, await AmqpTestBroker.MessageCountAsync(Msg));
    }

    [Fact]
    public async Task Consuming_a_missing_queue_fails_and_the_transport_keeps_working()
    {
        var error = await Assert.ThrowsAsync<RabbitMQ.Client.Exceptions.OperationInterruptedException>(
            () => _transport.ConsumeAsync([_prefix + "no-such-queue"], prefetchCount: 1));
        Assert.Equal(404, error.ShutdownReason!.ReplyCode);

        await _transport.PublishAsync(Exchange, Msg, Message(1));
        await using var consumer = await _transport.ConsumeAsync([Msg], prefetchCount: 1);
        await (await ReadAsync(consumer)).AckAsync();
    }

    [Fact]
    public async Task A_message_no_binding_matches_is_confirmed_and_dropped()
    {
        await _transport.PublishAsync(_prefix + "task_exchange", "unmatched", Message(1));

        Assert.Equal(1u, await AmqpTestBroker.MessageCountAsync(Fifo)); // '#' matches everything
        Assert.Equal(0u, await AmqpTestBroker.MessageCountAsync(Msg));
    }

    [Fact]
    public async Task A_wrong_password_fails_at_once_without_showing_it()
    {
        var logs = new TestLoggerFactory(output);
        await using var transport = AmqpTransportFactory.Create(
            "amqp://guest:n0t-the-pa55word@127.0.0.1:5672//", logs, TimeProvider.System);

        var error = await Assert.ThrowsAsync<AmqpTransportException>(() => transport.DeclareAsync(_topology));

        Assert.Contains("refused the login", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("n0t-the-pa55word", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("n0t-the-pa55word", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Connections_are_named_after_the_host_and_process()
    {
        await using var consumer = await _transport.ConsumeAsync([Msg], prefetchCount: 1);
        var expected = $"cadasta-worker@{Environment.MachineName} pid {Environment.ProcessId}";

        using var process = Process.Start(new ProcessStartInfo("rabbitmqctl", ["list_connections", "client_properties"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var listing = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Contains(expected + " (publish)", listing, StringComparison.Ordinal);
        Assert.Contains(expected + " (consume)", listing, StringComparison.Ordinal);
        Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Information && e.Message.Contains(expected, StringComparison.Ordinal));
    }

    internal static TransportMessage Message(int number) => new()
    {
        Body = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"[[{number}], {{}}, {{}}]")),
        Headers = new Dictionary<string, object?> { ["id"] = string.Create(CultureInfo.InvariantCulture, $"message-{number}") },
    };

    internal static async Task<Delivery> ReadAsync(ITransportConsumer consumer)
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await consumer.Deliveries.ReadAsync(timeout.Token);
    }

    private static IEnumerable<KeyValuePair<string, object?>> Sorted(IReadOnlyDictionary<string, object?> values) =>
        values.OrderBy(p => p.Key, StringComparer.Ordinal);
}
