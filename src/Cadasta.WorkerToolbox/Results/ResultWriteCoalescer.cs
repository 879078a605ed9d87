using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Results;

/// <summary>
/// Turns concurrent writes into few round trips (group commit). One loop takes the first waiting row at once and
/// everything else already waiting (up to the batch size), writes them in one transaction and only then completes
/// their callers. A lone row is written immediately (no timer); under load, rows arriving while a batch is in
/// flight form the next batch. Transient failures are retried with exponential backoff on the
/// <see cref="TimeProvider"/>; a caller's task completes successfully only after its row committed.
/// <para>
/// Writes of one task id commit in the order they were queued (one loop, batches one after the other). When one
/// batch holds several writes of the same task id (a worker's STARTED and then SUCCESS of a short task), only the
/// last is written: the earlier ones would be overwritten in the same transaction anyway, so they complete (or
/// fail) together with the write that supersedes them. One round trip and one row update instead of two.
/// </para>
/// </summary>
internal sealed class ResultWriteCoalescer : IAsyncDisposable
{
    private readonly IResultDatabase database;
    private readonly ResultStoreOptions options;
    private readonly ILogger logger;
    private readonly TimeProvider timeProvider;
    private readonly Channel<PendingWrite> queue;
    private readonly Task loop;
    private long batchesWritten;
    private int largestBatch;

    public ResultWriteCoalescer(IResultDatabase database, ResultStoreOptions options, ILogger logger, TimeProvider timeProvider)
    {
        this.database = database;
        this.options = options;
        this.logger = logger;
        this.timeProvider = timeProvider;
        queue = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(Math.Max(1024, options.MaxBatchSize * 8))
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        loop = Task.Run(RunAsync);
    }

    /// <summary>Batches written so far (for tests and diagnostics).</summary>
    public long BatchesWritten => Interlocked.Read(ref batchesWritten);

    /// <summary>Writes queued and not yet taken into a batch (for tests and diagnostics).</summary>
    public int Queued => queue.Reader.Count;

    /// <summary>Rows in the largest batch written so far.</summary>
    public int LargestBatch => Volatile.Read(ref largestBatch);

    public async Task WriteAsync(ResultRow row, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new PendingWrite(row);
        try
        {
            await queue.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException exception)
        {
            throw new ObjectDisposedException("The result store is disposed; the result was not stored.", exception);
        }

        await using var registration = cancellationToken.Register(
            static state => ((PendingWrite)state!).Completion.TrySetCanceled(),
            pending).ConfigureAwait(false);
        await pending.Completion.Task.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        // Rows already accepted are still written (commit before ack); new ones are refused.
        queue.Writer.TryComplete();
        await loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<PendingWrite>(options.MaxBatchSize);
        var latestByTask = new Dictionary<string, int>(StringComparer.Ordinal);
        while (await queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            latestByTask.Clear();
            while (batch.Count < options.MaxBatchSize && queue.Reader.TryRead(out var pending))
            {
                if (pending.Completion.Task.IsCompleted)
                {
                    continue;
                }

                if (latestByTask.TryGetValue(pending.Row.TaskId, out var index))
                {
                    // Same task id already in this batch: the later write replaces it and settles it.
                    var earlier = batch[index];
                    pending.Supersede(earlier);
                    batch[index] = pending;
                }
                else
                {
                    latestByTask[pending.Row.TaskId] = batch.Count;
                    batch.Add(pending);
                }
            }

            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                await WriteBatchAsync(batch).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                // The loop must survive anything: a dead loop would leave every later caller waiting forever.
                Fail(batch, exception);
            }
        }
    }

    private async Task WriteBatchAsync(List<PendingWrite> batch)
    {
        // Same lock order in every batch (by task id, stable so one task's writes keep their order):
        // two writers updating the same rows cannot deadlock each other.
        var ordered = batch.OrderBy(pending => pending.Row.TaskId, StringComparer.Ordinal).ToList();
        var failure = await WriteWithRetryAsync(ordered).ConfigureAwait(false);
        if (failure is null)
        {
            Complete(ordered);
        }
        else if (!database.IsTransient(failure) && ordered.Count > 1)
        {
            // One bad row (say, a task id over 155 characters) must not sink the others: write them one by one.
            foreach (var single in ordered)
            {
                var singleFailure = await WriteWithRetryAsync([single]).ConfigureAwait(false);
                if (singleFailure is null)
                {
                    Complete([single]);
                }
                else
                {
                    Fail([single], singleFailure);
                }
            }
        }
        else
        {
            Fail(ordered, failure);
        }
    }

    /// <summary>Writes the rows, retrying transient failures; returns null on commit or the last failure.</summary>
    private async Task<Exception?> WriteWithRetryAsync(IReadOnlyList<PendingWrite> batch)
    {
        var rows = batch.Select(pending => pending.Row).ToList();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await database.WriteAsync(rows, timeProvider.GetUtcNow().UtcDateTime, CancellationToken.None).ConfigureAwait(false);
                if (attempt > 1)
                {
                    ResultStoreLog.WriteRecovered(logger, database.Endpoint, attempt);
                }

                return null;
            }
            catch (Exception exception) when (database.IsTransient(exception))
            {
                if (attempt >= options.MaxWriteAttempts)
                {
                    ResultStoreLog.WriteGaveUp(logger, database.Endpoint, exception.Message, rows.Count, attempt);
                    return exception;
                }

                if (batch.All(pending => pending.Completion.Task.IsCompleted))
                {
                    // Every caller stopped waiting (cancelled): nobody is told the rows are stored.
                    return exception;
                }

                var delay = options.DelayBeforeAttempt(attempt);
                ResultStoreLog.WriteRetrying(logger, database.Endpoint, exception.Message, rows.Count, delay, attempt + 1, options.MaxWriteAttempts);
                await Task.Delay(delay, timeProvider).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                if (rows.Count == 1)
                {
                    ResultStoreLog.WriteRejected(logger, database.Endpoint, rows[0].TaskId, exception.Message);
                }

                return exception;
            }
        }
    }

    private void Complete(IReadOnlyList<PendingWrite> batch)
    {
        Interlocked.Increment(ref batchesWritten);
        var size = batch.Count;
        int seen;
        while (size > (seen = Volatile.Read(ref largestBatch)) && Interlocked.CompareExchange(ref largestBatch, size, seen) != seen)
        {
        }

        foreach (var pending in batch)
        {
            pending.SetResult();
        }
    }

    private void Fail(IReadOnlyList<PendingWrite> batch, Exception failure)
    {
        foreach (var pending in batch)
        {
            pending.SetException(new ResultStoreException(
                $"The result of task {pending.Row.TaskId} was not stored in {database.Endpoint}: {failure.Message}",
                failure));
        }
    }

    private sealed class PendingWrite(ResultRow row)
    {
        private PendingWrite? superseded;

        public ResultRow Row { get; } = row;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>This write replaces <paramref name="earlier"/> (same task id, same batch) and settles it with itself.</summary>
        public void Supersede(PendingWrite earlier) => superseded = earlier;

        public void SetResult()
        {
            superseded?.SetResult();
            Completion.TrySetResult();
        }

        public void SetException(Exception failure)
        {
            superseded?.SetException(failure);
            Completion.TrySetException(failure);
        }
    }
}
