using System.Collections.Concurrent;
using System.Globalization;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace Cadasta.WorkerToolbox.Transports.Sqs;

/// <summary>
/// Sends deletes and visibility changes in batches of up to 10 (SQS's batch size). When no call for
/// that queue and kind is in flight, a request waits a short gather window (<see cref="DefaultGatherWindow"/>)
/// and then leaves with whatever else arrived meanwhile; requests that arrive while a call is in flight wait
/// for it and leave together in the next call. A full batch of 10 leaves at once and may start a further
/// call, up to <see cref="MaxCallsInFlight"/>.
/// </summary>
/// <param name="sqs">The client.</param>
/// <param name="counters">Counts the calls.</param>
/// <param name="gatherWindow">How long a request waits for company when no call is in flight (zero: it leaves at once).</param>
/// <param name="timeProvider">The clock of the gather window.</param>
internal sealed class SqsSettlementBatcher(IAmazonSQS sqs, SqsApiCallCounters counters, TimeSpan gatherWindow = default, TimeProvider? timeProvider = null)
{
    /// <summary>
    /// The gather window the transport uses. Without one, a worker running few tasks at once acks them one at
    /// a time, each into an idle lane, so nearly every delete was a lone DeleteMessage (1.66 receive+delete calls
    /// per task at concurrency 2 in docs/benchmarks.md). 2 ms is small next to a task's round trips (the
    /// receive long poll, the result commit) and lets the acks of one received batch of up to 10 leave together.
    /// </summary>
    public static readonly TimeSpan DefaultGatherWindow = TimeSpan.FromMilliseconds(2);

    /// <summary>SQS's largest batch.</summary>
    public const int MaxBatchSize = 10;

    /// <summary>Concurrent calls per queue and kind.</summary>
    public const int MaxCallsInFlight = 4;

    /// <summary>SQS's largest visibility timeout, 12 hours.</summary>
    public const int MaxVisibilityTimeoutSeconds = 43200;

    private readonly ConcurrentDictionary<(string QueueUrl, bool Delete), Lane> _lanes = new();

    /// <summary>Deletes a received message (ack).</summary>
    public Task DeleteAsync(string queueUrl, string receiptHandle, CancellationToken cancellationToken) =>
        Enqueue(queueUrl, delete: true, receiptHandle, 0, cancellationToken);

    /// <summary>Sets a received message's remaining invisibility (0: visible again now).</summary>
    public Task ChangeVisibilityAsync(string queueUrl, string receiptHandle, int seconds, CancellationToken cancellationToken) =>
        Enqueue(queueUrl, delete: false, receiptHandle, Math.Clamp(seconds, 0, MaxVisibilityTimeoutSeconds), cancellationToken);

    private Task Enqueue(string queueUrl, bool delete, string receiptHandle, int seconds, CancellationToken cancellationToken)
    {
        var lane = _lanes.GetOrAdd((queueUrl, delete), static _ => new Lane());
        var request = new Pending(receiptHandle, seconds);
        var startCall = false;
        lock (lane.Lock)
        {
            lane.Waiting.Enqueue(request);
            if (lane.CallsInFlight == 0 || (lane.Waiting.Count >= MaxBatchSize && lane.CallsInFlight < MaxCallsInFlight))
            {
                lane.CallsInFlight++;
                startCall = true;
            }
        }

        if (startCall)
        {
            _ = Task.Run(() => SendWhileWaitingAsync(queueUrl, delete, lane), CancellationToken.None);
        }

        return request.Done.Task.WaitAsync(cancellationToken);
    }

    private async Task SendWhileWaitingAsync(string queueUrl, bool delete, Lane lane)
    {
        if (gatherWindow > TimeSpan.Zero && !lane.IsFull)
        {
            await Task.Delay(gatherWindow, timeProvider ?? TimeProvider.System).ConfigureAwait(false);
        }

        while (true)
        {
            var batch = new List<Pending>(MaxBatchSize);
            lock (lane.Lock)
            {
                while (batch.Count < MaxBatchSize && lane.Waiting.TryDequeue(out var next))
                {
                    batch.Add(next);
                }

                if (batch.Count == 0)
                {
                    lane.CallsInFlight--;
                    return;
                }
            }

            try
            {
                await (delete ? DeleteBatchAsync(queueUrl, batch) : ChangeVisibilityBatchAsync(queueUrl, batch)).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // every failure is handed to the callers waiting for this call
            catch (Exception failure)
#pragma warning restore CA1031
            {
                foreach (var request in batch)
                {
                    request.Done.TrySetException(failure);
                }
            }
        }
    }

    private async Task DeleteBatchAsync(string queueUrl, List<Pending> batch)
    {
        counters.CountDelete(batch.Count);
        if (batch.Count == 1)
        {
            await sqs.DeleteMessageAsync(new DeleteMessageRequest { QueueUrl = queueUrl, ReceiptHandle = batch[0].ReceiptHandle }).ConfigureAwait(false);
            batch[0].Done.TrySetResult();
            return;
        }

        var response = await sqs.DeleteMessageBatchAsync(new DeleteMessageBatchRequest
        {
            QueueUrl = queueUrl,
            Entries = [.. batch.Select((p, i) => new DeleteMessageBatchRequestEntry { Id = i.ToString(CultureInfo.InvariantCulture), ReceiptHandle = p.ReceiptHandle })],
        }).ConfigureAwait(false);
        Complete(batch, response.Failed, "DeleteMessageBatch");
    }

    private async Task ChangeVisibilityBatchAsync(string queueUrl, List<Pending> batch)
    {
        counters.CountChangeVisibility(batch.Count);
        if (batch.Count == 1)
        {
            await sqs.ChangeMessageVisibilityAsync(new ChangeMessageVisibilityRequest
            {
                QueueUrl = queueUrl,
                ReceiptHandle = batch[0].ReceiptHandle,
                VisibilityTimeout = batch[0].Seconds,
            }).ConfigureAwait(false);
            batch[0].Done.TrySetResult();
            return;
        }

        var response = await sqs.ChangeMessageVisibilityBatchAsync(new ChangeMessageVisibilityBatchRequest
        {
            QueueUrl = queueUrl,
            Entries = [.. batch.Select((p, i) => new ChangeMessageVisibilityBatchRequestEntry
            {
                Id = i.ToString(CultureInfo.InvariantCulture),
                ReceiptHandle = p.ReceiptHandle,
                VisibilityTimeout = p.Seconds,
            })],
        }).ConfigureAwait(false);
        Complete(batch, response.Failed, "ChangeMessageVisibilityBatch");
    }

    private static void Complete(List<Pending> batch, List<BatchResultErrorEntry>? failed, string action)
    {
        // AWSSDK v4 returns null, not an empty list, when nothing failed.
        var failures = (failed ?? []).ToDictionary(f => f.Id, StringComparer.Ordinal);
        for (var i = 0; i < batch.Count; i++)
        {
            if (failures.TryGetValue(i.ToString(CultureInfo.InvariantCulture), out var failure))
            {
                batch[i].Done.TrySetException(new AmazonSQSException($"{action} failed for one message: {failure.Code}: {failure.Message}"));
            }
            else
            {
                batch[i].Done.TrySetResult();
            }
        }
    }

    private sealed class Lane
    {
        public Lock Lock { get; } = new();

        public Queue<Pending> Waiting { get; } = new();

        public int CallsInFlight { get; set; }

        public bool IsFull
        {
            get
            {
                lock (Lock)
                {
                    return Waiting.Count >= MaxBatchSize;
                }
            }
        }
    }

    private sealed class Pending(string receiptHandle, int seconds)
    {
        public string ReceiptHandle { get; } = receiptHandle;

        public int Seconds { get; } = seconds;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
