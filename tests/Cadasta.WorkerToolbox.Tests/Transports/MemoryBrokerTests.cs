using System.Collections.Concurrent;
using System.Text;
using Cadasta.WorkerToolbox.Routing;
using Cadasta.WorkerToolbox.Tests.Routing;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Memory;

namespace Cadasta.WorkerToolbox.Tests.Transports;

/// <summary>What the memory broker promises beyond the transport contract: order, fairness, isolation, errors.</summary>
public sealed class MemoryBrokerTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly MemoryBroker _broker = new();
    private MemoryTransport _transport = null!;

    public async Task InitializeAsync()
    {
        _transport = new MemoryTransport(_broker);
        await _transport.DeclareAsync(CadastaTopologyFixture.Create());
    }

    public async Task DisposeAsync() => await _transport.DisposeAsync();

    private static TransportMessage Message(string label) => new()
    {
        Body = Encoding.UTF8.GetBytes(label),
        Headers = new Dictionary<string, object?> { ["label"] = label },
    };

    private static string Label(Delivery delivery) => Encoding.UTF8.GetString(delivery.Message.Body.Span);

    private static async Task<Delivery> ReceiveAsync(ITransportConsumer consumer)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        return await consumer.Deliveries.ReadAsync(timeout.Token);
    }

    private async Task PublishAsync(string routingKey, params string[] labels)
    {
        foreach (var label in labels)
        {
            await _transport.PublishAsync("task_exchange", routingKey, Message(label));
        }
    }

    [Fact]
    public async Task A_queue_is_first_in_first_out()
    {
        var labels = Enumerable.Range(0, 20).Select(i => $"m{i}").ToArray();
        await PublishAsync("msg", labels);
        var consumer = await _transport.ConsumeAsync(["msg"], 0);
        var received = new List<string>();
        for (var i = 0; i < labels.Length; i++)
        {
            received.Add(Label(await ReceiveAsync(consumer)));
        }

        Assert.Equal(labels, received);
    }

    [Fact]
    public async Task A_requeued_message_goes_back_to_the_front()
    {
        await PublishAsync("msg", "a", "b");
        var consumer = await _transport.ConsumeAsync(["msg"], 1);
        var first = await ReceiveAsync(consumer);
        Assert.Equal("a", Label(first));
        await first.RejectAsync(requeue: true);

        var again = await ReceiveAsync(consumer);
        Assert.Equal("a", Label(again));
        Assert.True(again.Redelivered);
        await again.AckAsync();
        var next = await ReceiveAsync(consumer);
        Assert.Equal("b", Label(next));
        Assert.False(next.Redelivered);
    }

    [Fact]
    public async Task Disposing_a_consumer_returns_its_deliveries_to_the_front_in_order()
    {
        await PublishAsync("msg", "a", "b", "c", "d");
        var consumer = await _transport.ConsumeAsync(["msg"], 2);
        Assert.Equal("a", Label(await ReceiveAsync(consumer)));
        await consumer.DisposeAsync();
        Assert.Equal(4, _broker.ReadyCount("msg"));

        var successor = await _transport.ConsumeAsync(["msg"], 0);
        var received = new List<(string, bool)>();
        for (var i = 0; i < 4; i++)
        {
            var delivery = await ReceiveAsync(successor);
            received.Add((Label(delivery), delivery.Redelivered));
        }

        // "b" was delivered (prefetched) though never read: it is returned, redelivered, too.
        Assert.Equal([("a", true), ("b", true), ("c", false), ("d", false)], received);
    }

    [Fact]
    public async Task A_disposed_consumers_deliveries_complete_and_cannot_be_settled()
    {
        await PublishAsync("msg", "a");
        var consumer = await _transport.ConsumeAsync(["msg"], 1);
        var delivery = await ReceiveAsync(consumer);
        await consumer.DisposeAsync();

        await consumer.Deliveries.Completion.WaitAsync(Timeout);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => delivery.AckAsync());
        Assert.Contains("disposed", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _broker.ReadyCount("msg"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => consumer.SetPrefetchAsync(3));
    }

    [Fact]
    public async Task A_consumer_of_several_queues_takes_them_in_turn()
    {
        await PublishAsync("msg", "m1", "m2", "m3");
        await PublishAsync("export", "e1", "e2", "e3");
        var consumer = await _transport.ConsumeAsync(["msg", "export"], 1);
        var received = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var delivery = await ReceiveAsync(consumer);
            received.Add(Label(delivery));
            await delivery.AckAsync();
        }

        Assert.Equal(["m1", "e1", "m2", "e2", "m3", "e3"], received);
    }

    [Fact]
    public async Task Consumers_of_one_queue_take_turns()
    {
        var first = await _transport.ConsumeAsync(["msg"], 0);
        var second = await _transport.ConsumeAsync(["msg"], 0);
        await PublishAsync("msg", "1", "2", "3", "4");

        Assert.Equal(["1", "3"], [Label(await ReceiveAsync(first)), Label(await ReceiveAsync(first))]);
        Assert.Equal(["2", "4"], [Label(await ReceiveAsync(second)), Label(await ReceiveAsync(second))]);
    }

    [Fact]
    public async Task Consuming_an_undeclared_queue_is_an_error()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _transport.ConsumeAsync(["nope"], 1));
        Assert.Contains("'nope'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redeclaring_with_other_settings_is_an_error_and_changes_nothing()
    {
        var direct = new ExchangeDeclaration("task_exchange", ExchangeDeclaration.Direct);
        await Assert.ThrowsAsync<InvalidOperationException>(() => _transport.DeclareAsync(new Topology([new QueueDeclaration("other", direct, "other")])));
        await Assert.ThrowsAsync<InvalidOperationException>(() => _transport.DeclareAsync(new Topology([new QueueDeclaration("msg", CadastaTopologyFixture.TaskExchange, "#")])));
        await Assert.ThrowsAsync<ArgumentException>(() => _transport.DeclareAsync(new Topology([new QueueDeclaration("bad", CadastaTopologyFixture.TaskExchange, "*bad")])));

        await PublishAsync("other", "x");
        Assert.Equal(0, _broker.ReadyCount("other"));
        Assert.Equal(0, _broker.ReadyCount("msg"));
        Assert.Equal(1, _broker.ReadyCount("platform.fifo"));
    }

    [Fact]
    public async Task The_empty_exchange_delivers_to_a_declared_queue_by_name_only()
    {
        await _transport.PublishAsync("", "export", Message("direct-to-export"));
        await _transport.PublishAsync("", "undeclared", Message("lost"));
        Assert.Equal(1, _broker.ReadyCount("export"));
        Assert.Equal(0, _broker.ReadyCount("platform.fifo"));
        Assert.Equal(0, _broker.ReadyCount("undeclared"));
    }

    [Fact]
    public async Task Direct_and_fanout_exchanges_route_as_declared()
    {
        var direct = new ExchangeDeclaration("direct", ExchangeDeclaration.Direct);
        var fanout = new ExchangeDeclaration("fanout", ExchangeDeclaration.Fanout);
        await _transport.DeclareAsync(new Topology(
        [
            new QueueDeclaration("d1", direct, "k"),
            new QueueDeclaration("d2", direct, "#"),
            new QueueDeclaration("f1", fanout, "x"),
            new QueueDeclaration("f2", fanout, "y"),
        ]));

        await _transport.PublishAsync("direct", "k", Message("k"));
        await _transport.PublishAsync("fanout", "z", Message("z"));
        Assert.Equal([1, 0, 1, 1], new[] { "d1", "d2", "f1", "f2" }.Select(_broker.ReadyCount));
    }

    [Fact]
    public async Task A_held_message_does_not_change_when_the_publisher_changes_its_objects()
    {
        var body = Encoding.UTF8.GetBytes("original");
        var nested = new List<object?> { 1L };
        var headers = new Dictionary<string, object?> { ["list"] = nested };
        await _transport.PublishAsync("task_exchange", "msg", new TransportMessage { Body = body, Headers = headers });
        body[0] = (byte)'X';
        nested.Add(2L);
        headers["added"] = true;

        var delivery = await ReceiveAsync(await _transport.ConsumeAsync(["msg"], 1));
        Assert.Equal("original", Label(delivery));
        Assert.Equal(["list"], delivery.Message.Headers.Keys);
        Assert.Equal([1L], (IReadOnlyList<object?>)delivery.Message.Headers["list"]!);
    }

    [Fact]
    public async Task Brokers_are_independent()
    {
        var other = new MemoryTransport(new MemoryBroker());
        await other.DeclareAsync(CadastaTopologyFixture.Create());
        await other.PublishAsync("task_exchange", "msg", Message("elsewhere"));
        Assert.Equal(0, _broker.ReadyCount("msg"));
        await other.DisposeAsync();
    }

    [Fact]
    public async Task Disposing_the_transport_stops_its_consumers_and_refuses_work()
    {
        await PublishAsync("msg", "a");
        var transport = new MemoryTransport(_broker);
        var consumer = await transport.ConsumeAsync(["msg"], 1);
        await ReceiveAsync(consumer);
        await transport.DisposeAsync();

        await consumer.Deliveries.Completion.WaitAsync(Timeout);
        Assert.Equal(1, _broker.ReadyCount("msg"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => transport.PublishAsync("task_exchange", "msg", Message("b")));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => transport.ConsumeAsync(["msg"], 1));
    }

    [Fact]
    public async Task Concurrent_producers_and_consumers_get_every_message_exactly_once_per_queue()
    {
        const int producers = 4;
        const int perProducer = 300;
        var seen = new ConcurrentDictionary<string, int>();
        var consumers = new List<ITransportConsumer>();
        for (var i = 0; i < 3; i++)
        {
            consumers.Add(await _transport.ConsumeAsync(["msg", "platform.fifo"], 5));
        }

        using var done = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var total = producers * perProducer * 2;
        var received = 0;
        var consuming = consumers.Select(consumer => Task.Run(async () =>
        {
            while (Volatile.Read(ref received) < total)
            {
                Delivery delivery;
                try
                {
                    delivery = await consumer.Deliveries.ReadAsync(done.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                seen.AddOrUpdate($"{delivery.Queue}/{Label(delivery)}", 1, (_, n) => n + 1);
                await delivery.AckAsync();
                if (Interlocked.Increment(ref received) == total)
                {
                    await done.CancelAsync();
                }
            }
        })).ToArray();
        var producing = Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            var producer = new MemoryTransport(_broker);
            for (var i = 0; i < perProducer; i++)
            {
                await producer.PublishAsync("task_exchange", "msg", Message($"{p}-{i}"));
            }
        })).ToArray();

        await Task.WhenAll(producing);
        await Task.WhenAll(consuming);
        Assert.Equal(total, Volatile.Read(ref received));
        Assert.Equal(total, seen.Count);
        Assert.All(seen.Values, count => Assert.Equal(1, count));
        Assert.Equal(0, _broker.ReadyCount("msg") + _broker.ReadyCount("platform.fifo"));
    }
}
