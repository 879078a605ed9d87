using Cadasta.WorkerToolbox.Transports;
using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Dashboard;

/// <summary>
/// Reads the backlog of each configured queue from the broker (all queues at once, each with a timeout), at most
/// once per refresh interval however many pages ask. A page never waits for a slow broker: it gets the last
/// reading while a new one is made in the background; only the very first reading is waited for, briefly. A broker
/// that cannot answer gives "unavailable" rows, logged once per failure streak.
/// </summary>
internal sealed partial class QueueBacklogReader(
    IQueueBacklog? source, IReadOnlyList<string> queues, TimeSpan refresh, TimeProvider time, ILogger logger) : IDisposable
{
    private static readonly TimeSpan FirstReadingWait = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PerQueueTimeout = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _disposed = new();
    private IReadOnlyList<QueueBacklogRow>? _last;
    private DateTimeOffset _readAt;
    private Task<IReadOnlyList<QueueBacklogRow>>? _reading;
    private bool _failing;

    public bool Enabled => source is not null && queues.Count > 0;

    public async Task<IReadOnlyList<QueueBacklogRow>> ReadAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return [];
        }

        Task<IReadOnlyList<QueueBacklogRow>> reading;
        lock (_gate)
        {
            if (_reading is null && (_last is null || time.GetUtcNow() - _readAt >= refresh))
            {
                _reading = ReadAllAsync(_disposed.Token);
            }

            if (_last is not null)
            {
                return _last;
            }

            reading = _reading!;
        }

        var first = await Task.WhenAny(reading, Task.Delay(FirstReadingWait, time, cancellationToken)).ConfigureAwait(false);
        return first == reading
            ? await reading.ConfigureAwait(false)
            : [.. queues.Select(queue => new QueueBacklogRow(queue, null, "asking the broker…"))];
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    private async Task<IReadOnlyList<QueueBacklogRow>> ReadAllAsync(CancellationToken cancellationToken)
    {
        try
        {
            var rows = await Task.WhenAll(queues.Select(queue => ReadOneAsync(queue, cancellationToken))).ConfigureAwait(false);
            var failed = rows.Any(row => row.Problem == "unavailable");
            lock (_gate)
            {
                _failing = failed;
                _last = rows;
                _readAt = time.GetUtcNow();
            }

            return rows;
        }
        finally
        {
            lock (_gate)
            {
                _reading = null;
            }
        }
    }

    private async Task<QueueBacklogRow> ReadOneAsync(string queue, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PerQueueTimeout);
        try
        {
            var count = await source!.GetMessageCountAsync(queue, timeout.Token).ConfigureAwait(false);
            return new QueueBacklogRow(queue, count, count is null ? "no such queue" : null);
        }
#pragma warning disable CA1031 // Whatever the broker client throws, the page shows "unavailable" instead of failing.
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            bool alreadyFailing;
            lock (_gate)
            {
                alreadyFailing = _failing;
                _failing = true;
            }

            if (!alreadyFailing)
            {
                LogUnavailable(logger, queue, e.GetType().Name, e.Message);
            }

            return new QueueBacklogRow(queue, null, "unavailable");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dashboard: the broker did not tell the backlog of queue {Queue} ({ExceptionType}: {Reason})")]
    private static partial void LogUnavailable(ILogger logger, string queue, string exceptionType, string reason);
}

/// <summary>One queue's backlog: the ready messages, or why there is no number.</summary>
internal sealed record QueueBacklogRow(string Queue, long? Messages, string? Problem);
