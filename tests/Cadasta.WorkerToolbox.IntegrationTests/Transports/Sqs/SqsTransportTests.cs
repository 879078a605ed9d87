using System.Globalization;
using System.Text;
using System.Text.Json;
using Amazon.SQS.Model;
using Cadasta.WorkerToolbox.Routing;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Sqs;
using Xunit.Abstractions;

namespace Cadasta.WorkerToolbox.IntegrationTests.Transports.Sqs;

/// <summary>The sqs:// transport against the emulator (scripts/services/sqs start) and kombu 5.2.4 as the peer.</summary>
public sealed class SqsTransportTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly ExchangeDeclaration TaskExchange = new("task_exchange", ExchangeDeclaration.Topic);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private SqsTestEnvironment _sqs = null!;

    private static Topology CadastaTopology => new(
    [
        new QueueDeclaration("celery", TaskExchange, "celery"),
        new QueueDeclaration("platform.fifo", TaskExchange, "#"),
        new QueueDeclaration("export", TaskExchange, "export"),
    ]);

    public async Task InitializeAsync() => _sqs = await SqsTestEnvironment.StartAsync();

    public async Task DisposeAsync() => await _sqs.DisposeAsync();

    [Fact]
    public async Task Published_message_reaches_a_kombu_consumer_intact_in_every_bound_queue()
    {
        var transport = _sqs.CreateTransport();
        await transport.DeclareAsync(CadastaTopology);
        var message = ExportMessage("11111111-2222-3333-4444-555555555555", "Z\u00fcrich \u2603");

        await transport.PublishAsync("task_exchange", "export", message);

        foreach (var queue in new[] { "export", "platform.fifo" })
        {
            using var received = JsonDocument.Parse(await SqsTestEnvironment.RunPeerAsync(["consume", SqsTestEnvironment.Endpoint, _sqs.Prefix, queue, "1", "30"]));
            var kombu = Assert.Single(received.RootElement.EnumerateArray().ToList());
            Assert.Equal(Encoding.UTF8.GetString(message.Body.Span), kombu.GetProperty("body").GetString());
            Assert.Equal("application/json", kombu.GetProperty("content_type").GetString());
            Assert.Equal("utf-8", kombu.GetProperty("content_encoding").GetString());
            Assert.Equal("task_exchange", kombu.GetProperty("exchange").GetString());
            Assert.Equal("export", kombu.GetProperty("routing_key").GetString());
            Assert.EndsWith("/" + _sqs.Prefix + queue, kombu.GetProperty("sqs_queue").GetString(), StringComparison.Ordinal);
            var headers = kombu.GetProperty("headers");
            Assert.Equal("export.project", headers.GetProperty("task").GetString());
            Assert.Equal("11111111-2222-3333-4444-555555555555", headers.GetProperty("id").GetString());
            Assert.Equal(JsonValueKind.Null, headers.GetProperty("eta").ValueKind);
            Assert.Equal("{'note': 'Z\u00fcrich \u2603'}", headers.GetProperty("kwargsrepr").GetString());
            var properties = kombu.GetProperty("properties");
            Assert.Equal("11111111-2222-3333-4444-555555555555", properties.GetProperty("correlation_id").GetString());
            Assert.Equal("user123", properties.GetProperty("creator_id").GetString());
            Assert.Equal(42, properties.GetProperty("related_content_type_id").GetInt32());
            Assert.True(properties.GetProperty("is_result").GetBoolean());
            Assert.Equal(2, properties.GetProperty("delivery_mode").GetInt32());
            Assert.Equal(0, properties.GetProperty("priority").GetInt32());
        }

        Assert.Equal(2, transport.Counters.SendMessage);
    }

    [Fact]
    public async Task Message_published_by_kombu_is_consumed_and_acked()
    {
        var spec = new
        {
            queues = new[] { new { name = "export", routing_key = "export" }, new { name = "platform.fifo", routing_key = "#" } },
            routing_key = "export",
            messages = new[]
            {
                new
                {
                    body = "[[], {\"project_slug\": \"prj\"}, {\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}]",
                    headers = new Dictionary<string, object?> { ["task"] = "export.project", ["id"] = "abc", ["retries"] = 0, ["timelimit"] = new object?[] { null, null } },
                    properties = new Dictionary<string, object?> { ["correlation_id"] = "abc", ["creator_id"] = "user9", ["related_content_type_id"] = 7, ["delivery_mode"] = 2 },
                },
            },
        };
        await SqsTestEnvironment.RunPeerAsync(["publish", SqsTestEnvironment.Endpoint, _sqs.Prefix], JsonSerializer.Serialize(spec));
        var transport = _sqs.CreateTransport();
        var consumer = await transport.ConsumeAsync(["export"], prefetchCount: 4);

        var delivery = await NextAsync(consumer);
        await delivery.AckAsync();

        Assert.Equal(spec.messages[0].body, Encoding.UTF8.GetString(delivery.Message.Body.Span));
        Assert.Equal("export", delivery.Queue);
        Assert.Equal("task_exchange", delivery.Exchange);
        Assert.Equal("export", delivery.RoutingKey);
        Assert.False(delivery.Redelivered);
        Assert.Equal("application/json", delivery.Message.ContentType);
        Assert.Equal("export.project", delivery.Message.Headers["task"]);
        Assert.Equal(new object?[] { null, null }, Assert.IsType<List<object?>>(delivery.Message.Headers["timelimit"]));
        Assert.Equal("user9", delivery.Message.Properties["creator_id"]);
        Assert.Equal(7L, delivery.Message.Properties["related_content_type_id"]);
        Assert.Equal(2L, delivery.Message.Properties["delivery_mode"]);
        await consumer.DisposeAsync();
        Assert.Equal("0", await CountMessagesAsync(_sqs.Prefix + "export"));
        Assert.Equal("1", await CountMessagesAsync(_sqs.Prefix + "platform.fifo"));
    }

    [Fact]
    public async Task Fan_out_reaches_platform_fifo_with_kombu_fifo_attributes()
    {
        var transport = _sqs.CreateTransport(new Dictionary<string, object?> { ["visibility_timeout"] = 20L });
        await transport.DeclareAsync(CadastaTopology);

        await transport.PublishAsync("task_exchange", "export", ExportMessage("id-1", "a"));
        var grouped = ExportMessage("id-2", "b", new Dictionary<string, object?> { ["MessageGroupId"] = "project-7", ["MessageDeduplicationId"] = "dedup-7" });
        await transport.PublishAsync("task_exchange", "celery", grouped);

        var fifoUrl = await _sqs.QueueUrlAsync(_sqs.Prefix + "platform.fifo");
        var attributes = await _sqs.Client.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = fifoUrl, AttributeNames = ["All"] });
        Assert.Equal("true", attributes.Attributes["FifoQueue"]);
        Assert.Equal("20", attributes.Attributes["VisibilityTimeout"]);
#pragma warning disable CS0618 // the emulator honours only the legacy AttributeNames
        var received = await _sqs.Client.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = fifoUrl, MaxNumberOfMessages = 10, WaitTimeSeconds = 1, AttributeNames = ["All"] });
#pragma warning restore CS0618
        Assert.Equal(2, received.Messages.Count);
        Assert.Equal("default", received.Messages[0].Attributes["MessageGroupId"]);
        Assert.True(Guid.TryParse(received.Messages[0].Attributes["MessageDeduplicationId"], out _));
        Assert.Equal("project-7", received.Messages[1].Attributes["MessageGroupId"]);
        Assert.Equal("dedup-7", received.Messages[1].Attributes["MessageDeduplicationId"]);
        Assert.Equal("export", SqsEnvelope.Decode(received.Messages[0].Body).RoutingKey);
        Assert.Equal("celery", SqsEnvelope.Decode(received.Messages[1].Body).RoutingKey);

        // The standard queues got their own copies; nothing is bound to "celery" but celery and platform.fifo.
        Assert.Equal("1", await CountMessagesAsync(_sqs.Prefix + "export"));
        Assert.Equal("1", await CountMessagesAsync(_sqs.Prefix + "celery"));
    }

    [Fact]
    public async Task A_second_declaration_adds_bindings_to_the_first()
    {
        var transport = _sqs.CreateTransport();
        await transport.DeclareAsync(new Topology([new QueueDeclaration("export", TaskExchange, "export")]));
        await transport.DeclareAsync(new Topology([new QueueDeclaration("platform.fifo", TaskExchange, "#")]));

        await transport.PublishAsync("task_exchange", "export", ExportMessage("m-1", "x"));
        await transport.PublishAsync("task_exchange", "nobody", ExportMessage("m-2", "x"));

        Assert.Equal(3, transport.Counters.SendMessage);
        Assert.Equal("1", await CountMessagesAsync(_sqs.Prefix + "export"));
        Assert.Equal("2", await CountMessagesAsync(_sqs.Prefix + "platform.fifo"));
    }

    [Fact]
    public async Task Unacked_message_becomes_visible_again_after_the_visibility_timeout()
    {
        var transport = _sqs.CreateTransport(new Dictionary<string, object?> { ["visibility_timeout"] = 2L });
        await transport.DeclareAsync(CadastaTopology);
        await transport.PublishAsync("", "export", ExportMessage("v-1", "x"));
        var first = await transport.ConsumeAsync(["export"], prefetchCount: 1);
        var held = await NextAsync(first);
        Assert.False(held.Redelivered);

        var second = await transport.ConsumeAsync(["export"], prefetchCount: 1);
        var again = await NextAsync(second);

        Assert.True(again.Redelivered);
        Assert.Equal("v-1", again.Message.Headers["id"]);
        await again.AckAsync();
        await second.DisposeAsync();
        await first.DisposeAsync();
    }

    [Fact]
    public async Task Extending_the_reservation_keeps_the_message_hidden_past_the_original_timeout()
    {
        var transport = _sqs.CreateTransport(new Dictionary<string, object?> { ["visibility_timeout"] = 2L });
        await transport.DeclareAsync(CadastaTopology);
        await transport.PublishAsync("", "export", ExportMessage("e-1", "x"));
        var first = await transport.ConsumeAsync(["export"], prefetchCount: 1);
        var held = await NextAsync(first);

        await held.ExtendReservationAsync(TimeSpan.FromSeconds(30));
        var second = await transport.ConsumeAsync(["export"], prefetchCount: 1);

        // Three times the original timeout: without the extension the message is back long before.
        using (var window = new CancellationTokenSource(TimeSpan.FromSeconds(6)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await second.Deliveries.ReadAsync(window.Token));
        }

        // Handing it back proves the second consumer was listening all along.
        await held.RejectAsync(requeue: true);
        var again = await NextAsync(second);
        Assert.Equal("e-1", again.Message.Headers["id"]);
        Assert.True(again.Redelivered);
        await again.AckAsync();
        Assert.True(transport.Counters.ChangeMessageVisibility >= 2);
    }

    [Fact]
    public async Task Disposing_a_consumer_returns_its_unsettled_messages_at_once()
    {
        var transport = _sqs.CreateTransport(new Dictionary<string, object?> { ["visibility_timeout"] = 600L });
        await transport.DeclareAsync(CadastaTopology);
        for (var i = 0; i < 3; i++)
        {
            await transport.PublishAsync("", "export", ExportMessage($"d-{i}", "x"));
        }

        var first = await transport.ConsumeAsync(["export"], prefetchCount: 3);
        var held = new List<Delivery> { await NextAsync(first), await NextAsync(first), await NextAsync(first) };

        await first.DisposeAsync();

        // With a 600 s visibility timeout only the release can bring them back within the deadline.
        var second = await transport.ConsumeAsync(["export"], prefetchCount: 3);
        var ids = new List<object?>();
        for (var i = 0; i < 3; i++)
        {
            var delivery = await NextAsync(second);
            ids.Add(delivery.Message.Headers["id"]);
            await delivery.AckAsync();
        }

        Assert.Equal(["d-0", "d-1", "d-2"], ids.Order());
        await Assert.ThrowsAsync<InvalidOperationException>(() => held[0].AckAsync());
    }

    [Fact]
    public async Task Reject_with_requeue_redelivers_and_reject_without_requeue_deletes()
    {
        var transport = _sqs.CreateTransport();
        await transport.DeclareAsync(CadastaTopology);
        await transport.PublishAsync("", "export", ExportMessage("r-1", "x"));
        var consumer = await transport.ConsumeAsync(["export"], prefetchCount: 1);

        var first = await NextAsync(consumer);
        await first.RejectAsync(requeue: true);
        var second = await NextAsync(consumer);
        Assert.True(second.Redelivered);
        await second.RejectAsync(requeue: false);
        await consumer.DisposeAsync();

        Assert.Equal("0", await CountMessagesAsync(_sqs.Prefix + "export"));
    }

    [Fact]
    public async Task Oversize_message_is_refused_at_publish_naming_size_limit_and_task()
    {
        var transport = _sqs.CreateTransport();
        await transport.DeclareAsync(CadastaTopology);
        var message = ExportMessage("big-1", new string('x', 150 * 1024));

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => transport.PublishAsync("task_exchange", "export", message));

        Assert.Contains("export.project", refused.Message, StringComparison.Ordinal);
        Assert.Contains("262144", refused.Message, StringComparison.Ordinal);
        Assert.Matches(@"is \d{6} bytes", refused.Message);
        Assert.Equal(0, transport.Counters.SendMessage);
    }

    [Fact]
    public async Task Hundred_messages_take_far_fewer_receive_and_delete_calls_than_messages()
    {
        const int count = 100;
        var transport = _sqs.CreateTransport();
        await transport.DeclareAsync(CadastaTopology);
        for (var i = 0; i < count; i++)
        {
            await transport.PublishAsync("", "export", ExportMessage($"b-{i}", "x"));
        }

        var consumer = await transport.ConsumeAsync(["export"], prefetchCount: 20);
        var acks = new List<Task>(count);
        var seen = new HashSet<object?>();
        while (seen.Count < count)
        {
            var delivery = await NextAsync(consumer);
            Assert.True(seen.Add(delivery.Message.Headers["id"]), "duplicate delivery");
            acks.Add(delivery.AckAsync());
        }

        await Task.WhenAll(acks);
        var counters = transport.Counters;
        var calls = counters.ReceiveMessage + counters.DeleteMessage + counters.DeleteMessageBatch;
        output.WriteLine($"{count} messages: {string.Join(", ", counters.Snapshot().Select(p => $"{p.Key}={p.Value}"))}; receive+delete calls per message {(double)calls / count:0.00}");
        Assert.Equal(count, counters.MessagesDeleted);
        Assert.True(calls < count / 2, $"{calls} receive and delete calls for {count} messages");
        await consumer.DisposeAsync();
        Assert.Equal("0", await CountMessagesAsync(_sqs.Prefix + "export"));
    }

    [Fact]
    public async Task Prefetch_limits_the_unsettled_deliveries()
    {
        var transport = _sqs.CreateTransport();
        await transport.DeclareAsync(CadastaTopology);
        for (var i = 0; i < 5; i++)
        {
            await transport.PublishAsync("", "celery", ExportMessage($"p-{i}", "x"));
        }

        var consumer = await transport.ConsumeAsync(["celery", "export"], prefetchCount: 2);
        var first = await NextAsync(consumer);
        var second = await NextAsync(consumer);
        using (var window = new CancellationTokenSource(TimeSpan.FromSeconds(3)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await consumer.Deliveries.ReadAsync(window.Token));
        }

        await first.AckAsync();
        var third = await NextAsync(consumer);
        await consumer.SetPrefetchAsync(0);
        var fourth = await NextAsync(consumer);
        var fifth = await NextAsync(consumer);
        foreach (var delivery in new[] { second, third, fourth, fifth })
        {
            await delivery.AckAsync();
        }

        await consumer.DisposeAsync();
    }

    private static TransportMessage ExportMessage(string id, string note, Dictionary<string, object?>? extraProperties = null)
    {
        var properties = new Dictionary<string, object?>
        {
            ["correlation_id"] = id,
            ["reply_to"] = "2ce21e71-0267-3616-9f45-db4e2e9b0f23",
            ["creator_id"] = "user123",
            ["related_content_type_id"] = 42L,
            ["related_object_id"] = "prj123",
            ["is_result"] = true,
            ["delivery_mode"] = 2L,
        };
        foreach (var (key, value) in extraProperties ?? [])
        {
            properties[key] = value;
        }

        return new TransportMessage
        {
            Body = Encoding.UTF8.GetBytes($"[[], {{\"note\": {JsonSerializer.Serialize(note)}}}, {{\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}}]"),
            Headers = new Dictionary<string, object?>
            {
                ["lang"] = "py",
                ["task"] = "export.project",
                ["id"] = id,
                ["eta"] = null,
                ["retries"] = 0L,
                ["timelimit"] = new List<object?> { null, null },
                ["root_id"] = id,
                ["kwargsrepr"] = $"{{'note': '{(note.Length > 40 ? "..." : note)}'}}",
            },
            Properties = properties,
        };
    }

    private static async Task<Delivery> NextAsync(ITransportConsumer consumer)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            return await consumer.Deliveries.ReadAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"No delivery within {Deadline.TotalSeconds} s");
            throw;
        }
    }

    // Counts the messages a queue holds by receiving them all (hidden for a minute, so none is seen
    // twice) until two long polls in a row come back empty. The emulator's ApproximateNumberOfMessages
    // counted in-flight messages and lagged behind sends, which made exact assertions on it flaky.
    private async Task<string> CountMessagesAsync(string sqsName)
    {
        var url = await _sqs.QueueUrlAsync(sqsName);
        var count = 0;
        for (var emptyPolls = 0; emptyPolls < 2;)
        {
            var response = await _sqs.Client.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = url,
                MaxNumberOfMessages = 10,
                WaitTimeSeconds = 1,
                VisibilityTimeout = 60,
            });
            var received = response.Messages?.Count ?? 0;
            count += received;
            emptyPolls = received == 0 ? emptyPolls + 1 : 0;
        }

        return count.ToString(CultureInfo.InvariantCulture);
    }
}
