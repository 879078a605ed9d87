using Amazon.SQS.Model;
using Cadasta.WorkerToolbox.Transports.Sqs;

namespace Cadasta.WorkerToolbox.Tests.Transports.Sqs;

public sealed class SqsSettlementBatcherTests
{
    private const string Url = "http://127.0.0.1:9324/123456789012/dev-export";

    [Fact]
    public async Task A_lone_ack_goes_out_at_once_as_a_single_delete()
    {
        var (client, fake) = FakeSqsClient.Create();
        var counters = new SqsApiCallCounters();
        var batcher = new SqsSettlementBatcher(client, counters);

        await batcher.DeleteAsync(Url, "h1", CancellationToken.None);

        var call = Assert.Single(fake.Calls);
        Assert.Equal("DeleteMessageAsync", call.Method);
        Assert.Equal("h1", ((DeleteMessageRequest)call.Request!).ReceiptHandle);
        Assert.Equal(1, counters.DeleteMessage);
    }

    [Fact]
    public async Task Acks_arriving_while_a_call_is_in_flight_leave_together()
    {
        var (client, fake) = FakeSqsClient.Create();
        fake.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var counters = new SqsApiCallCounters();
        var batcher = new SqsSettlementBatcher(client, counters);

        var first = batcher.DeleteAsync(Url, "h0", CancellationToken.None);
        await WaitUntilAsync(() => !fake.Calls.IsEmpty);
        var rest = Enumerable.Range(1, 9).Select(i => batcher.DeleteAsync(Url, $"h{i}", CancellationToken.None)).ToList();
        fake.Gate.SetResult();
        await Task.WhenAll(rest.Append(first));

        Assert.Equal(["DeleteMessageAsync", "DeleteMessageBatchAsync"], fake.Calls.Select(c => c.Method));
        var batch = (DeleteMessageBatchRequest)fake.Calls.Last().Request!;
        Assert.Equal(Enumerable.Range(1, 9).Select(i => $"h{i}"), batch.Entries.Select(e => e.ReceiptHandle));
        Assert.Equal(10, counters.MessagesDeleted);
    }

    [Fact]
    public async Task A_failed_batch_entry_fails_only_its_caller()
    {
        var (client, fake) = FakeSqsClient.Create();
        fake.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fake.OnDeleteBatch = request => new DeleteMessageBatchResponse
        {
            Failed = [new BatchResultErrorEntry { Id = request.Entries[1].Id, Code = "ReceiptHandleIsInvalid", Message = "gone", SenderFault = true }],
        };
        var batcher = new SqsSettlementBatcher(client, new SqsApiCallCounters());

        var first = batcher.DeleteAsync(Url, "h0", CancellationToken.None);
        await WaitUntilAsync(() => !fake.Calls.IsEmpty);
        var ok = batcher.DeleteAsync(Url, "h1", CancellationToken.None);
        var bad = batcher.DeleteAsync(Url, "h2", CancellationToken.None);
        fake.Gate.SetResult();

        await first;
        await ok;
        var failure = await Assert.ThrowsAsync<Amazon.SQS.AmazonSQSException>(() => bad);
        Assert.Contains("ReceiptHandleIsInvalid", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Visibility_changes_are_clamped_to_sqs_limits()
    {
        var (client, fake) = FakeSqsClient.Create();
        var batcher = new SqsSettlementBatcher(client, new SqsApiCallCounters());

        await batcher.ChangeVisibilityAsync(Url, "h", 100_000, CancellationToken.None);

        Assert.Equal(43200, ((ChangeMessageVisibilityRequest)Assert.Single(fake.Calls).Request!).VisibilityTimeout);
    }

    [Fact]
    public async Task With_a_gather_window_acks_made_one_after_another_leave_together_when_it_ends()
    {
        var (client, fake) = FakeSqsClient.Create();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var counters = new SqsApiCallCounters();
        var batcher = new SqsSettlementBatcher(client, counters, TimeSpan.FromMilliseconds(2), time);

        var first = batcher.DeleteAsync(Url, "h0", CancellationToken.None);
        var second = batcher.DeleteAsync(Url, "h1", CancellationToken.None);
        await Task.Delay(50);
        Assert.Empty(fake.Calls);
        time.Advance(TimeSpan.FromMilliseconds(2));
        await Task.WhenAll(first, second);

        var call = Assert.Single(fake.Calls);
        Assert.Equal("DeleteMessageBatchAsync", call.Method);
        Assert.Equal(["h0", "h1"], ((DeleteMessageBatchRequest)call.Request!).Entries.Select(e => e.ReceiptHandle));
        Assert.Equal(0, counters.DeleteMessage);
    }

    [Fact]
    public async Task With_a_gather_window_a_full_batch_does_not_wait_for_it()
    {
        var (client, fake) = FakeSqsClient.Create();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var batcher = new SqsSettlementBatcher(client, new SqsApiCallCounters(), TimeSpan.FromMilliseconds(2), time);

        var deletes = Enumerable.Range(0, 10).Select(i => batcher.DeleteAsync(Url, $"h{i}", CancellationToken.None)).ToList();
        await Task.WhenAll(deletes);

        var call = Assert.Single(fake.Calls);
        Assert.Equal(10, ((DeleteMessageBatchRequest)call.Request!).Entries.Count);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(1, deadline.Token);
        }
    }
}
