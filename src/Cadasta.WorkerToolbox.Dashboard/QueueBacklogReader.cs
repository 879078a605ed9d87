using Cadasta.WorkerToolbox.Transports;
using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Dashboard;

/// <summary>
/// Reads the backlog of each configured queue from the broker, at most once per refresh interval however many
/// pages ask (a reading is shared). A broker that cannot answer gives "unavailable" rows, logged once per failure streak.
/// </summary>
internal sealed partial class QueueBacklogReader(
    IQueueBacklog? source, IReadOnlyList<string> queues, TimeSpan refresh, TimeProvider time, ILogger logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyList<QueueBacklogRow>? _last;
    private DateTimeOffset _readAt;
    private bool _failing;

    public bool Enabled => source is not null && queues.Count > 0;

    public async Task<IReadOnlyList<QueueBacklogRow>> ReadAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return [];
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_last is not null && time.GetUtcNow() - _readAt < refresh)
            {
                return _last;
            }

            var rows = new List<QueueBacklogRow>(queues.Count);
            var failed = false;
            foreach (var queue in queues)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                try
                {
                    var count = await source!.GetMessageCountAsync(queue, timeout.Token).ConfigureAwait(false);
                    rows.Add(new QueueBacklogRow(queue, count, count is null ? "no such queue" : null));
                }
#pragma warning disable CA1031 // Whatever the broker client throws, the page shows "unavailable" instead of failing.
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    rows.Add(new QueueBacklogRow(queue, null, "unavailable"));
                    if (!_failing && !failed)
                    {
                        LogUnavailable(logger, queue, e.GetType().Name, e.Message);
                    }

                    failed = true;
                }
            }

            _failing = failed;
            _last = rows;
            _readAt = time.GetUtcNow();
            return rows;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dashboard: the broker did not tell the backlog of queue {Queue} ({ExceptionType}: {Reason})")]
    private static partial void LogUnavailable(ILogger logger, string queue, string exceptionType, string reason);
}

/// <summary>One queue's backlog: the ready messages, or why there is no number.</summary>
internal sealed record QueueBacklogRow(string Queue, long? Messages, string? Problem);
