using System.Globalization;
using System.Text;
using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Tests.Worker.Harness;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Memory;
using Cadasta.WorkerToolbox.Worker;

namespace Cadasta.WorkerToolbox.Tests.Reliability.Hostile;

/// <summary>Each kind of bad message ends as FAILURE under its id or in the dead-letter queue, acknowledged, and good tasks go on.</summary>
public sealed class BadMessagePolicyTests
{
    [Fact]
    public async Task Pickle_with_a_task_id_fails_as_content_disallowed_and_is_never_read()
    {
        await using var harness = await StartAsync();
        await PublishRawAsync(harness, Raw("\u0080\u0004garbage-pickle", "bad-pickle", contentType: TaskMessageCodec.PickleContentType, encoding: "binary"));

        var stored = await harness.WaitForStateAsync("bad-pickle", "FAILURE");
        Assert.Equal(("ContentDisallowed", "kombu.exceptions"), (stored.Error!.Type, stored.Error.Module));
        Assert.Contains("pickle", (string)stored.Error.Arguments[0]!, StringComparison.Ordinal);
        await WorkerHarness.WaitUntilAsync(() => harness.Log.Entries.Contains("ack bad-pickle"), "the ack");
        Assert.Equal(0, harness.Count("msg.dead"));
    }

    [Fact]
    public async Task A_message_without_a_task_id_goes_to_the_dead_letter_queue_unchanged_with_its_reason()
    {
        await using var harness = await StartAsync();
        await PublishRawAsync(harness, new TransportMessage { Body = "{not json"u8.ToArray(), Headers = new Dictionary<string, object?> { ["x-mark"] = "m1" } });

        var dead = await ReadDeadLetterAsync(harness);
        Assert.Equal("{not json", Encoding.UTF8.GetString(dead.Message.Body.Span));
        Assert.Equal("m1", dead.Message.Headers["x-mark"]);
        Assert.Equal("BodyNotJson", dead.Message.Headers[DeadLetterQueue.CodeHeader]);
        Assert.Equal("msg", dead.Message.Headers[DeadLetterQueue.SourceQueueHeader]);
        Assert.Contains("not JSON", (string)dead.Message.Headers[DeadLetterQueue.ReasonHeader]!, StringComparison.Ordinal);
        Assert.Equal(0, harness.Count("msg"));
    }

    [Fact]
    public async Task A_body_over_the_size_limit_or_too_deep_is_refused_before_decoding()
    {
        await using var harness = await StartAsync(o => o with { MaxMessageBytes = 4096, MaxJsonDepth = 8 });
        await PublishRawAsync(harness, Raw("[[" + new string(' ', 8192) + "], {}, {}]", "too-big"));
        await PublishRawAsync(harness, Raw("[[" + new string('[', 1000) + new string(']', 1000) + "], {}, {}]", "too-deep"));
        await PublishRawAsync(harness, Raw(new string('[', 1500) + new string(']', 1500), null));

        var big = await harness.WaitForStateAsync("too-big", "FAILURE");
        Assert.Contains("MAX_MESSAGE_BYTES (4096)", (string)big.Error!.Arguments[0]!, StringComparison.Ordinal);
        var deep = await harness.WaitForStateAsync("too-deep", "FAILURE");
        Assert.Contains("MAX_JSON_DEPTH (8)", (string)deep.Error!.Arguments[0]!, StringComparison.Ordinal);
        var dead = await ReadDeadLetterAsync(harness);
        Assert.Equal("NestingTooDeep", dead.Message.Headers[DeadLetterQueue.CodeHeader]);
        Assert.Equal(InvalidTaskError, (deep.Error.Type, deep.Error.Module));
    }

    [Theory]
    [InlineData("eta", "99999-01-01T00:00:00")]
    [InlineData("expires", "NaN")]
    [InlineData("timelimit", "NaN")]
    [InlineData("timelimit", "-1")]
    [InlineData("retries", "'three'")]
    public async Task Absurd_header_values_fail_under_the_task_id(string header, string value)
    {
        await using var harness = await StartAsync();
        object? headerValue = header == "timelimit"
            ? new List<object?> { value == "NaN" ? double.NaN : -1L, null }
            : value == "'three'" ? "three" : value;
        var message = Raw("[[1, 2], {}, {}]", "absurd", name: "msg.add");
        await PublishRawAsync(harness, new TransportMessage
        {
            Body = message.Body,
            Headers = new Dictionary<string, object?>(message.Headers) { [header] = headerValue },
        });

        var stored = await harness.WaitForStateAsync("absurd", "FAILURE");
        Assert.Equal(InvalidTaskError, (stored.Error!.Type, stored.Error.Module));
        await WorkerHarness.WaitUntilAsync(() => harness.Log.Entries.Contains("ack absurd"), "the ack");
    }

    [Fact]
    public async Task Good_tasks_interleaved_with_bad_ones_all_succeed()
    {
        await using var harness = await StartAsync();
        var good = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            good.Add(await harness.PublishAsync("msg.add", [(long)i, 1L]));
            await PublishRawAsync(harness, Raw(i % 2 == 0 ? "\xff\xfe" : "[1, 2]", i % 3 == 0 ? null : $"bad-{i}"));
        }

        foreach (var id in good)
        {
            await harness.WaitForStateAsync(id, "SUCCESS");
        }

        await WorkerHarness.WaitUntilAsync(() => harness.Count("msg.dead") == 7 && harness.Count("msg") == 0, "7 dead letters, msg empty");
        for (var i = 0; i < 20; i++)
        {
            if (i % 3 != 0)
            {
                await harness.WaitForStateAsync($"bad-{i}", "FAILURE");
            }
        }
    }

    [Fact]
    public async Task A_redelivered_task_is_published_again_counted_and_dead_lettered_past_the_limit()
    {
        // No worker consumes here: the test hands the deliveries over itself.
        await using var harness = new WorkerHarness();
        harness.Registry.Register("msg.add", (long a, long b) => a + b);
        harness.Options = harness.Options with { MaxDeliveries = 2 };
        await harness.Producer.EnsureSetupAsync();
        var message = Raw("[[1, 2], {}, {}]", "again", name: "msg.add");

        // A message the broker says it delivered before (a crash, a lost connection): counted copy, original acknowledged.
        var copied = await RunDeliveryAsync(harness, message, redelivered: true);
        Assert.True(copied.IsSettled);
        var copy = await ReadAsync(harness, "msg");
        Assert.Equal(2L, copy.Message.Headers[RedeliveryGuard.DeliveriesHeader]);

        // Redelivered once more: past MAX_DELIVERIES, dead-lettered, not run.
        var over = await RunDeliveryAsync(harness, copy.Message, redelivered: true);
        Assert.True(over.IsSettled);
        var dead = await ReadDeadLetterAsync(harness);
        Assert.Equal("TooManyDeliveries", dead.Message.Headers[DeadLetterQueue.CodeHeader]);
        Assert.DoesNotContain(harness.Log.Entries, e => e.StartsWith("store", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_redelivered_task_whose_eta_is_ahead_is_held_again_not_counted()
    {
        // Workers hold an ETA task unacknowledged until it is due; every restart returns it (redelivered).
        await using var harness = new WorkerHarness();
        harness.Registry.Register("msg.add", (long a, long b) => a + b);
        harness.Options = harness.Options with { MaxDeliveries = 1 };
        await harness.Producer.EnsureSetupAsync();
        var raw = Raw("[[1, 2], {}, {}]", "later", name: "msg.add");
        var eta = harness.Time.GetUtcNow().AddHours(1).ToString("yyyy-MM-ddTHH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture);
        var message = new TransportMessage
        {
            Body = raw.Body,
            ContentType = raw.ContentType,
            ContentEncoding = raw.ContentEncoding,
            Headers = new Dictionary<string, object?>(raw.Headers) { ["eta"] = eta },
        };

        var delivery = new ScriptedDelivery(message, redelivered: true);
        var admission = new MessageAdmission(harness.Registry, new ProtocolTaskDecoder(), harness.Results, harness.Transport, harness.Options, harness.Time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var job = await admission.AdmitAsync(delivery);

        Assert.NotNull(job);
        Assert.False(delivery.IsSettled);

        // Once it is due, a redelivery counts again (it may have run and killed a worker).
        harness.Time.Advance(TimeSpan.FromHours(2));
        var due = await RunDeliveryAsync(harness, message, redelivered: true);
        Assert.True(due.IsSettled);
        var dead = await ReadDeadLetterAsync(harness);
        Assert.Equal("TooManyDeliveries", dead.Message.Headers[DeadLetterQueue.CodeHeader]);
    }

    [Fact]
    public async Task Without_a_dead_letter_queue_a_message_without_id_is_dropped_as_celery_does()
    {
        await using var harness = await StartAsync(o => o with { DeadLetterQueue = null });
        await PublishRawAsync(harness, new TransportMessage { Body = "nope"u8.ToArray(), Headers = new Dictionary<string, object?> { ["id"] = 42L } });
        var id = await harness.PublishAsync("msg.add", [1L, 1L]);
        await harness.WaitForStateAsync(id, "SUCCESS");
        await WorkerHarness.WaitUntilAsync(() => harness.Count("msg") == 0, "msg empty");
        Assert.Equal(0, harness.Count("msg.dead"));
    }

    [Fact]
    public void Log_values_from_a_message_are_one_bounded_line()
    {
        var printed = MessageAdmission.Printable("evil\nFAKE LOG LINE\r\u2028" + new string('x', 500));
        Assert.DoesNotContain('\n', printed);
        Assert.DoesNotContain('\r', printed);
        Assert.StartsWith("evil\\u000aFAKE LOG LINE\\u000d\\u2028", printed, StringComparison.Ordinal);
        Assert.True(printed.Length <= 210);
    }

    private static readonly (string, string) InvalidTaskError = ("InvalidTaskError", "celery.exceptions");

    private static async Task<WorkerHarness> StartAsync(Func<WorkerOptions, WorkerOptions>? options = null)
    {
        var harness = new WorkerHarness();
        harness.Registry.Register("msg.add", (long a, long b) => a + b);
        harness.Options = options?.Invoke(harness.Options) ?? harness.Options;
        await harness.StartAsync();
        return harness;
    }

    private static TransportMessage Raw(string body, string? id, string name = "msg.nope", string contentType = "application/json", string encoding = "utf-8")
    {
        var headers = new Dictionary<string, object?> { ["task"] = name };
        if (id is not null)
        {
            headers["id"] = id;
        }

        return new TransportMessage { Body = Encoding.Latin1.GetBytes(body), ContentType = contentType, ContentEncoding = encoding, Headers = headers };
    }

    // Straight into the broker: the harness's recording transport would try to read the message itself.
    private static async Task PublishRawAsync(WorkerHarness harness, TransportMessage message)
    {
        await harness.Producer.EnsureSetupAsync();
        await using var transport = new MemoryTransport(harness.MemoryBroker);
        await transport.PublishAsync("task_exchange", "msg", message);
    }

    private static Task<Delivery> ReadDeadLetterAsync(WorkerHarness harness) => ReadAsync(harness, "msg.dead");

    private static async Task<Delivery> ReadAsync(WorkerHarness harness, string queue)
    {
        await using var transport = new MemoryTransport(harness.MemoryBroker);
        await using var consumer = await transport.ConsumeAsync([queue], 1);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var delivery = await consumer.Deliveries.ReadAsync(timeout.Token);
        await delivery.AckAsync();
        return delivery;
    }

    // Hands one delivery to a worker that consumes nothing else, through a queue of its own.
    private static async Task<Delivery> RunDeliveryAsync(WorkerHarness harness, TransportMessage message, bool redelivered)
    {
        var delivery = new ScriptedDelivery(message, redelivered);
        var admission = new MessageAdmission(harness.Registry, new ProtocolTaskDecoder(), harness.Results, harness.Transport, harness.Options, harness.Time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await admission.DeclareAsync(["msg"], harness.Topology, CancellationToken.None);
        Assert.Null(await admission.AdmitAsync(delivery));
        return delivery;
    }

    private sealed class ScriptedDelivery(TransportMessage message, bool redelivered) : Delivery(message, "msg", "task_exchange", "msg", redelivered)
    {
        protected override Task AckCoreAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        protected override Task RejectCoreAsync(bool requeue, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
