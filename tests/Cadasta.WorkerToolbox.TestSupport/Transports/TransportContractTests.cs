using System.Text;
using Cadasta.WorkerToolbox.Routing;
using Cadasta.WorkerToolbox.Transports;
using Xunit;
using Xunit.Sdk;

namespace Cadasta.WorkerToolbox.TestSupport.Transports;

/// <summary>
/// The behaviour every <see cref="ITransport"/> promises. A transport's test class derives from
/// this class and implements <see cref="CreateTransportAsync"/>; xunit runs every case below
/// for it. Each test instance uses names with its own random suffix, so brokers shared between
/// tests and runs never interfere, and hands every topology it declared to
/// <see cref="DeleteAsync"/> when it ends.
/// </summary>
public abstract class TransportContractTests : IAsyncLifetime
{
    private readonly List<ITransport> _transports = [];
    private readonly List<Topology> _declared = [];

    /// <summary>A random suffix shared by every name this test instance uses.</summary>
    protected string Suffix { get; } = Guid.NewGuid().ToString("N")[..10];

    /// <summary>How long a test waits for a message it expects.</summary>
    protected virtual TimeSpan DeliveryTimeout => TimeSpan.FromSeconds(15);

    /// <summary>How long a test watches for a message that must not arrive (after a later marker message did).</summary>
    protected virtual TimeSpan QuietPeriod => TimeSpan.FromMilliseconds(300);

    /// <summary>A fresh, connected transport; several in one test talk to the same broker.</summary>
    /// <param name="cancellationToken">Cancels the connection.</param>
    protected abstract Task<ITransport> CreateTransportAsync(CancellationToken cancellationToken);

    /// <summary>Deletes what a test declared, where the broker allows it (default: nothing to do).</summary>
    /// <param name="topology">A topology the test declared.</param>
    /// <param name="cancellationToken">Cancels the clean-up.</param>
    protected virtual Task DeleteAsync(Topology topology, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The value a header is expected to arrive as. The default is unchanged; a transport whose
    /// client library is known to alter a value on the wire says how here (and documents it).
    /// </summary>
    /// <param name="sent">The header value as published (applied to the whole header table).</param>
    protected virtual object? ExpectedHeaderValue(object? sent) => sent;

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        foreach (var transport in _transports)
        {
            await transport.DisposeAsync();
        }

        using var cleanUp = new CancellationTokenSource(DeliveryTimeout);
        foreach (var topology in _declared)
        {
            await DeleteAsync(topology, cleanUp.Token);
        }
    }

    [Fact]
    public async Task Declare_is_idempotent_and_does_not_duplicate_bindings()
    {
        var topology = CadastaTopology();
        var first = await ConnectAsync();
        await DeclareAsync(first, topology);
        await DeclareAsync(first, topology);
        var second = await ConnectAsync();
        await DeclareAsync(second, topology);

        var message = NewMessage("once");
        await second.PublishAsync(Exchange, ExportKey, message);
        var consumer = await first.ConsumeAsync([ExportQueue], 0);
        var delivery = await ReceiveAsync(consumer);
        AssertSameMessage(message, delivery);
        await delivery.AckAsync();
        await AssertOnlyMarkerFollowsAsync(first, consumer, Exchange, ExportKey);
    }

    [Fact]
    public async Task Publish_then_consume_delivers_body_content_type_encoding_headers_and_properties_unchanged()
    {
        var transport = await ConnectAsync();
        await DeclareAsync(transport, CadastaTopology());
        var message = new TransportMessage
        {
            Body = new byte[] { 0, 1, 2, 0x7F, 0x80, 0xFE, 0xFF, (byte)'{', (byte)'}' },
            ContentType = "application/x-contract-test",
            ContentEncoding = "binary",
            Headers = new Dictionary<string, object?>
            {
                ["contract-id"] = Guid.NewGuid().ToString(),
                ["task"] = "export.project",
                ["retries"] = 0L,
                ["big"] = 9_007_199_254_740_993L,
                ["negative"] = -42L,
                ["ratio"] = 0.1,
                ["whole-double"] = 2.0,
                ["flag"] = true,
                ["off"] = false,
                ["nothing"] = null,
                ["unicode"] = "Grüße, 世界 😀 \"quoted\" \\ back",
                ["timelimit"] = new List<object?> { null, 30L, 1.5, "s", false },
                ["nested"] = new Dictionary<string, object?>
                {
                    ["list"] = new List<object?> { new Dictionary<string, object?> { ["deep"] = new List<object?>() }, 1L },
                    ["empty"] = new Dictionary<string, object?>(),
                    ["ñ"] = "ü",
                },
            },
            Properties = new Dictionary<string, object?>
            {
                ["correlation_id"] = Guid.NewGuid().ToString(),
                ["reply_to"] = "2ce21e71-0267-3616-9f45-db4e2e9b0f23",
                ["priority"] = 3L,
                ["delivery_mode"] = 2L,
                ["creator_id"] = "user123",
                ["related_content_type_id"] = 42L,
                ["is_result"] = true,
            },
        };

        await transport.PublishAsync(Exchange, ExportKey, message);
        var consumer = await transport.ConsumeAsync([ExportQueue], 1);
        var delivery = await ReceiveAsync(consumer);

        AssertSameMessage(message, delivery);
        Assert.Equal(ExportQueue, delivery.Queue);
        Assert.Equal(Exchange, delivery.Exchange);
        Assert.Equal(ExportKey, delivery.RoutingKey);
        Assert.False(delivery.Redelivered);
        await delivery.AckAsync();
    }

    [Fact]
    public async Task A_task_message_reaches_exactly_its_service_queue_and_the_platform_queue_as_identical_copies()
    {
        var transport = await ConnectAsync();
        await DeclareAsync(transport, CadastaTopology());
        var message = NewMessage("export.project");

        await transport.PublishAsync(Exchange, ExportKey, message);

        var platform = await transport.ConsumeAsync([PlatformQueue], 0);
        var service = await transport.ConsumeAsync([ExportQueue], 0);
        var platformCopy = await ReceiveAsync(platform);
        var serviceCopy = await ReceiveAsync(service);
        AssertSameMessage(message, platformCopy);
        AssertSameMessage(message, serviceCopy);
        Assert.Equal(PlatformQueue, platformCopy.Queue);
        Assert.Equal(ExportQueue, serviceCopy.Queue);
        foreach (var copy in new[] { platformCopy, serviceCopy })
        {
            Assert.Equal(Exchange, copy.Exchange);
            Assert.Equal(ExportKey, copy.RoutingKey);
            await copy.AckAsync();
        }

        // The other service queues got nothing: the first message each holds is a later marker.
        var others = await transport.ConsumeAsync([CeleryQueue, MsgQueue], 0);
        var celeryMarker = NewMessage("marker-celery");
        var msgMarker = NewMessage("marker-msg");
        await transport.PublishAsync(Exchange, CeleryKey, celeryMarker);
        await transport.PublishAsync(Exchange, MsgKey, msgMarker);
        var received = new[] { await ReceiveAsync(others), await ReceiveAsync(others) };
        var byQueue = received.ToDictionary(d => d.Queue, StringComparer.Ordinal);
        Assert.Equal([CeleryQueue, MsgQueue], byQueue.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(IdOf(celeryMarker), IdOf(byQueue[CeleryQueue].Message));
        Assert.Equal(IdOf(msgMarker), IdOf(byQueue[MsgQueue].Message));
        await AssertNothingArrivesAsync(others);
        await AssertNothingArrivesAsync(service);
    }

    [Fact]
    public async Task A_routing_key_no_binding_matches_is_dropped()
    {
        var transport = await ConnectAsync();
        var exchange = new ExchangeDeclaration(Name("nomatch-ex"), ExchangeDeclaration.Topic);
        var first = Name("nomatch-a");
        var second = Name("nomatch-b");
        await DeclareAsync(transport, new Topology([new QueueDeclaration(first, exchange, first), new QueueDeclaration(second, exchange, second)]));

        await transport.PublishAsync(exchange.Name, Name("nobody"), NewMessage("unroutable"));
        var firstMarker = NewMessage("marker-a");
        var secondMarker = NewMessage("marker-b");
        await transport.PublishAsync(exchange.Name, first, firstMarker);
        await transport.PublishAsync(exchange.Name, second, secondMarker);

        var consumerA = await transport.ConsumeAsync([first], 0);
        var consumerB = await transport.ConsumeAsync([second], 0);
        Assert.Equal(IdOf(firstMarker), IdOf((await ReceiveAsync(consumerA)).Message));
        Assert.Equal(IdOf(secondMarker), IdOf((await ReceiveAsync(consumerB)).Message));
        await AssertNothingArrivesAsync(consumerA);
        await AssertNothingArrivesAsync(consumerB);
    }

    [Fact]
    public async Task Prefetch_limits_unsettled_deliveries_and_raising_it_releases_more()
    {
        var transport = await ConnectAsync();
        await DeclareAsync(transport, CadastaTopology());
        var sent = new List<TransportMessage>();
        for (var i = 0; i < 5; i++)
        {
            sent.Add(NewMessage($"prefetch-{i}"));
            await transport.PublishAsync(Exchange, MsgKey, sent[^1]);
        }

        var consumer = await transport.ConsumeAsync([MsgQueue], 2);
        var first = await ReceiveAsync(consumer);
        var second = await ReceiveAsync(consumer);
        await AssertNothingArrivesAsync(consumer);

        await first.AckAsync();
        var third = await ReceiveAsync(consumer);
        await AssertNothingArrivesAsync(consumer);

        await consumer.SetPrefetchAsync(4);
        var fourth = await ReceiveAsync(consumer);
        var fifth = await ReceiveAsync(consumer);

        var received = new[] { first, second, third, fourth, fifth }.Select(d => IdOf(d.Message)).Order(StringComparer.Ordinal);
        Assert.Equal(sent.Select(IdOf).Order(StringComparer.Ordinal), received);
        foreach (var delivery in new[] { second, third, fourth, fifth })
        {
            await delivery.AckAsync();
        }
    }

    [Fact]
    public async Task Ack_removes_the_message()
    {
        var transport = await ConnectAsync();
        await DeclareAsync(transport, CadastaTopology());
        await transport.PublishAsync(Exchange, MsgKey, NewMessage("acked"));
        var consumer = await transport.ConsumeAsync([MsgQueue], 1);
        await (await ReceiveAsync(consumer)).AckAsync();
        await consumer.DisposeAsync();

        var again = await transport.ConsumeAsync([MsgQueue], 1);
        await AssertOnlyMarkerFollowsAsync(transport, again, Exchange, MsgKey);
    }

    [Fact]
    public async Task Reject_with_requeue_redelivers_the_message_marked_redelivered()
    {
        var transport = await ConnectAsync();
        await DeclareAsync(transport, CadastaTopology());
        var message = NewMessage("requeued");
        await transport.PublishAsync(Exchange, MsgKey, message);
        var consumer = await transport.ConsumeAsync([MsgQueue], 1);

        var first = await ReceiveAsync(consumer);
        Assert.False(first.Redelivered);
        await first.RejectAsync(requeue: true);

        var second = await ReceiveAsync(consumer);
        Assert.True(second.Redelivered);
        AssertSameMessage(message, second);
        await second.AckAsync();
    }

    [Fact]
    public async Task Reject_without_requeue_drops_the_message()
    {
        var transport = await ConnectAsync();
        await DeclareAsync(transport, CadastaTopology());
        await transport.PublishAsync(Exchange, MsgKey, NewMessage("dropped"));
        var consumer = await transport.ConsumeAsync([MsgQueue], 1);
        await (await ReceiveAsync(consumer)).RejectAsync(requeue: false);

        await AssertOnlyMarkerFollowsAsync(transport, consumer, Exchange, MsgKey);
    }

    [Fact]
    public async Task Disposing_a_consumer_returns_its_unsettled_deliveries_and_acks_none()
    {
        var transport = await ConnectAsync();
        await DeclareAsync(transport, CadastaTopology());
        var sent = new List<TransportMessage>();
        for (var i = 0; i < 3; i++)
        {
            sent.Add(NewMessage($"returned-{i}"));
            await transport.PublishAsync(Exchange, MsgKey, sent[^1]);
        }

        var consumer = await transport.ConsumeAsync([MsgQueue], 3);
        for (var i = 0; i < 3; i++)
        {
            Assert.False((await ReceiveAsync(consumer)).Redelivered);
        }

        await consumer.DisposeAsync();

        var other = await ConnectAsync();
        var successor = await other.ConsumeAsync([MsgQueue], 0);
        var again = new List<Delivery>();
        for (var i = 0; i < 3; i++)
        {
            again.Add(await ReceiveAsync(successor));
        }

        Assert.All(again, d => Assert.True(d.Redelivered, $"message {IdOf(d.Message)} should be marked redelivered"));
        Assert.Equal(sent.Select(IdOf).Order(StringComparer.Ordinal), again.Select(d => IdOf(d.Message)).Order(StringComparer.Ordinal));
        foreach (var delivery in again)
        {
            await delivery.AckAsync();
        }

        await AssertNothingArrivesAsync(successor);
    }

    [Fact]
    public async Task Settling_a_delivery_twice_throws()
    {
        var transport = await ConnectAsync();
        await DeclareAsync(transport, CadastaTopology());
        for (var i = 0; i < 3; i++)
        {
            await transport.PublishAsync(Exchange, MsgKey, NewMessage($"settle-{i}"));
        }

        var consumer = await transport.ConsumeAsync([MsgQueue], 0);
        var acked = await ReceiveAsync(consumer);
        await acked.AckAsync();
        Assert.True(acked.IsSettled);
        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => acked.AckAsync());
        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => acked.RejectAsync(requeue: true));

        var rejected = await ReceiveAsync(consumer);
        await rejected.RejectAsync(requeue: false);
        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => rejected.AckAsync());

        var requeued = await ReceiveAsync(consumer);
        await requeued.RejectAsync(requeue: true);
        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => requeued.RejectAsync(requeue: false));
        await (await ReceiveAsync(consumer)).AckAsync();
    }

    [Fact]
    public async Task One_consumer_reads_several_queues()
    {
        var transport = await ConnectAsync();
        await DeclareAsync(transport, CadastaTopology());
        var toMsg = NewMessage("to-msg");
        var toCelery = NewMessage("to-celery");
        await transport.PublishAsync(Exchange, MsgKey, toMsg);
        await transport.PublishAsync(Exchange, CeleryKey, toCelery);

        var consumer = await transport.ConsumeAsync([MsgQueue, CeleryQueue], 1);
        var first = await ReceiveAsync(consumer);
        await first.AckAsync();
        var second = await ReceiveAsync(consumer);
        await second.AckAsync();

        var byQueue = new[] { first, second }.ToDictionary(d => d.Queue, StringComparer.Ordinal);
        Assert.Equal([CeleryQueue, MsgQueue], byQueue.Keys.Order(StringComparer.Ordinal));
        AssertSameMessage(toMsg, byQueue[MsgQueue]);
        AssertSameMessage(toCelery, byQueue[CeleryQueue]);
        Assert.Equal(MsgKey, byQueue[MsgQueue].RoutingKey);
        Assert.Equal(CeleryKey, byQueue[CeleryQueue].RoutingKey);
    }

    [Fact]
    public async Task A_published_message_is_held_for_a_consumer_that_starts_later()
    {
        var producer = await ConnectAsync();
        await DeclareAsync(producer, CadastaTopology());
        var message = NewMessage("held");
        await producer.PublishAsync(Exchange, CeleryKey, message);
        await producer.DisposeAsync();

        var worker = await ConnectAsync();
        var consumer = await worker.ConsumeAsync([CeleryQueue], 1);
        var delivery = await ReceiveAsync(consumer);
        AssertSameMessage(message, delivery);
        await delivery.AckAsync();
    }

    [Fact]
    public async Task Stopping_deliveries_ends_the_flow_but_held_deliveries_can_still_be_settled()
    {
        var transport = await ConnectAsync();
        await DeclareAsync(transport, CadastaTopology());
        var sent = new List<TransportMessage>();
        for (var i = 0; i < 4; i++)
        {
            sent.Add(NewMessage($"stop-{i}"));
            await transport.PublishAsync(Exchange, MsgKey, sent[^1]);
        }

        var consumer = await transport.ConsumeAsync([MsgQueue], 1);
        var held = await ReceiveAsync(consumer);
        using (var timeout = new CancellationTokenSource(DeliveryTimeout))
        {
            await consumer.StopDeliveriesAsync(timeout.Token);
            await consumer.StopDeliveriesAsync(timeout.Token); // again: nothing more happens
        }

        // Settling still works, and frees a prefetch slot that a stopped consumer must not refill.
        Assert.False(held.IsSettled);
        await held.AckAsync();
        var late = new List<Delivery>();
        using (var drain = new CancellationTokenSource(DeliveryTimeout))
        {
            // Deliveries completes (without error) once what was already on its way is in it.
            await foreach (var delivery in consumer.Deliveries.ReadAllAsync(drain.Token))
            {
                late.Add(delivery);
            }
        }

        Assert.True(late.Count == 0, $"A stopped consumer received {late.Count} more deliveries after its prefetch slot was freed.");
        await consumer.DisposeAsync();

        // The other three are still in the queue, for the next consumer.
        var successor = await ConnectAsync();
        var next = await successor.ConsumeAsync([MsgQueue], 0);
        var rest = new List<Delivery>();
        for (var i = 0; i < 3; i++)
        {
            rest.Add(await ReceiveAsync(next));
        }

        Assert.Equal(
            sent.Select(IdOf).Where(id => id != IdOf(held.Message)).Order(StringComparer.Ordinal),
            rest.Select(d => IdOf(d.Message)).Order(StringComparer.Ordinal));
        foreach (var delivery in rest)
        {
            await delivery.AckAsync();
        }

        await AssertNothingArrivesAsync(next);
    }

    /// <summary>The exchange of <see cref="CadastaTopology"/> (<c>task_exchange</c> with this test's suffix).</summary>
    protected string Exchange => Name("task_exchange");

    /// <summary>The <c>celery</c> queue of <see cref="CadastaTopology"/>.</summary>
    protected string CeleryQueue => Name("celery");

    /// <summary>The <c>export</c> queue of <see cref="CadastaTopology"/>.</summary>
    protected string ExportQueue => Name("export");

    /// <summary>The <c>msg</c> queue of <see cref="CadastaTopology"/>.</summary>
    protected string MsgQueue => Name("msg");

    /// <summary>The platform queue of <see cref="CadastaTopology"/>, bound with <c>#</c> (its name ends in <c>.fifo</c> as the real one).</summary>
    protected string PlatformQueue => $"ctr-{Suffix}-platform.fifo";

    private string CeleryKey => CeleryQueue;

    private string ExportKey => ExportQueue;

    private string MsgKey => MsgQueue;

    /// <summary>A name unique to this test instance.</summary>
    /// <param name="name">The readable part.</param>
    protected string Name(string name) => $"ctr-{Suffix}-{name}";

    /// <summary>The Cadasta topology with this test's names: a topic exchange; celery, export, msg bound by their names; the platform queue bound with <c>#</c>.</summary>
    protected Topology CadastaTopology()
    {
        var exchange = new ExchangeDeclaration(Exchange, ExchangeDeclaration.Topic);
        return new Topology(
        [
            new QueueDeclaration(CeleryQueue, exchange, CeleryKey),
            new QueueDeclaration(PlatformQueue, exchange, "#"),
            new QueueDeclaration(MsgQueue, exchange, MsgKey),
            new QueueDeclaration(ExportQueue, exchange, ExportKey),
        ]);
    }

    /// <summary>Creates a transport that is disposed when the test ends.</summary>
    protected async Task<ITransport> ConnectAsync()
    {
        using var timeout = new CancellationTokenSource(DeliveryTimeout);
        var transport = await CreateTransportAsync(timeout.Token);
        _transports.Add(transport);
        return transport;
    }

    /// <summary>Declares a topology and remembers it for <see cref="DeleteAsync"/>.</summary>
    /// <param name="transport">The transport to declare with.</param>
    /// <param name="topology">What to declare.</param>
    protected async Task DeclareAsync(ITransport transport, Topology topology)
    {
        ArgumentNullException.ThrowIfNull(transport);
        if (!_declared.Contains(topology))
        {
            _declared.Add(topology);
        }

        using var timeout = new CancellationTokenSource(DeliveryTimeout);
        await transport.DeclareAsync(topology, timeout.Token);
    }

    /// <summary>A small message identified by a <c>contract-id</c> header.</summary>
    /// <param name="label">Readable text for the body.</param>
    protected static TransportMessage NewMessage(string label) => new()
    {
        Body = Encoding.UTF8.GetBytes($"[[\"{label}\"], {{}}, {{}}]"),
        Headers = new Dictionary<string, object?> { ["contract-id"] = Guid.NewGuid().ToString(), ["label"] = label },
        Properties = new Dictionary<string, object?> { ["delivery_mode"] = 2L },
    };

    /// <summary>The <c>contract-id</c> header of a message.</summary>
    /// <param name="message">A message made by <see cref="NewMessage"/>.</param>
    protected static string IdOf(TransportMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.Headers.TryGetValue("contract-id", out var id) && id is string text
            ? text
            : throw new XunitException("The message carries no 'contract-id' header.");
    }

    /// <summary>Waits for the next delivery, failing after <see cref="DeliveryTimeout"/>.</summary>
    /// <param name="consumer">The consumer.</param>
    protected async Task<Delivery> ReceiveAsync(ITransportConsumer consumer)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        using var timeout = new CancellationTokenSource(DeliveryTimeout);
        try
        {
            return await consumer.Deliveries.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new XunitException($"No delivery arrived within {DeliveryTimeout.TotalSeconds} s.");
        }
    }

    /// <summary>Fails if a delivery arrives within <see cref="QuietPeriod"/>.</summary>
    /// <param name="consumer">The consumer.</param>
    protected async Task AssertNothingArrivesAsync(ITransportConsumer consumer)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        using var quiet = new CancellationTokenSource(QuietPeriod);
        try
        {
            if (await consumer.Deliveries.WaitToReadAsync(quiet.Token) && consumer.Deliveries.TryPeek(out var unexpected))
            {
                throw new XunitException(
                    $"Expected no more deliveries, but one arrived from queue '{unexpected.Queue}': label '{unexpected.Message.Headers.GetValueOrDefault("label")}', redelivered {unexpected.Redelivered}.");
            }
        }
        catch (OperationCanceledException) when (quiet.IsCancellationRequested)
        {
            // Nothing arrived: as expected.
        }
    }

    /// <summary>Publishes a marker and asserts it is the next and only delivery: the queue held nothing else.</summary>
    private async Task AssertOnlyMarkerFollowsAsync(ITransport transport, ITransportConsumer consumer, string exchange, string routingKey)
    {
        var marker = NewMessage("marker");
        await transport.PublishAsync(exchange, routingKey, marker);
        var next = await ReceiveAsync(consumer);
        Assert.True(
            IdOf(marker) == IdOf(next.Message),
            $"Expected the marker as the next delivery, found '{next.Message.Headers.GetValueOrDefault("label")}' (redelivered {next.Redelivered}).");
        await next.AckAsync();
        await AssertNothingArrivesAsync(consumer);
    }

    /// <summary>Asserts a delivery carries the published message unchanged (a transport may add properties, never change or drop one).</summary>
    /// <param name="expected">The published message.</param>
    /// <param name="actual">The delivery.</param>
    protected void AssertSameMessage(TransportMessage expected, Delivery actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        Assert.Equal(expected.Body.ToArray(), actual.Message.Body.ToArray());
        Assert.Equal(expected.ContentType, actual.Message.ContentType);
        Assert.Equal(expected.ContentEncoding, actual.Message.ContentEncoding);
        JsonLikeAssert.Equal(ExpectedHeaderValue(expected.Headers), actual.Message.Headers, "headers");
        foreach (var (key, value) in expected.Properties)
        {
            Assert.True(actual.Message.Properties.ContainsKey(key), $"The property '{key}' was lost.");
            JsonLikeAssert.Equal(value, actual.Message.Properties[key], $"properties.{key}");
        }
    }
}
