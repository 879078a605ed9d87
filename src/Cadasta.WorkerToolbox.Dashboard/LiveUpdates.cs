using System.Text.Json;
using Cadasta.WorkerToolbox.Monitoring;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Dashboard;

/// <summary>
/// Server-sent events for one open page: at most one <c>update</c> event per interval, and only when something
/// changed, carrying the counts per state, the tasks recorded since the page's newest (at most 100 per event),
/// and the current states of the newest tasks. The counts are shared by every connection and throttled
/// (<see cref="ThrottledValue{T}"/>), so a busy system or many open pages cannot flood the browser or the database.
/// </summary>
internal sealed partial class LiveUpdates(
    TaskRecordBrowser browser, ThrottledValue<IReadOnlyDictionary<string, long>> counts, DashboardOptions options, ILogger logger)
{
    public const int MaxRowsPerEvent = 100;
    public const int RecentStates = 50;
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public async Task StreamAsync(HttpContext context, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var cancellationToken = linked.Token;
        var after = long.TryParse(context.Request.Query["after"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var given) ? given : 0;
        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.WriteAsync("retry: 3000\n\n", cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);

        var time = options.TimeProvider;
        string? lastSent = null;
        var lastWrite = time.GetUtcNow();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                string? payload = null;
                try
                {
                    var added = await browser.ListAddedAfterAsync(after, MaxRowsPerEvent, cancellationToken).ConfigureAwait(false);
                    var recent = await browser.ListAsync(new TaskListQuery { Limit = RecentStates }, cancellationToken).ConfigureAwait(false);
                    var current = await counts.GetAsync(cancellationToken).ConfigureAwait(false);
                    var states = recent.Items.Select(item => new Dictionary<string, object?>
                    {
                        ["task_id"] = item.Task.Record.TaskId,
                        ["state"] = item.Task.Status,
                        ["state_class"] = DisplayFormat.StateClass(item.Task.Status),
                        ["duration"] = DisplayFormat.Duration(item.Duration),
                    }).ToList();
                    var comparable = JsonSerializer.Serialize(new object[] { current, states });
                    if (added.Count > 0 || comparable != lastSent)
                    {
                        if (added.Count > 0)
                        {
                            after = added[^1].Id;
                        }

                        payload = JsonSerializer.Serialize(new Dictionary<string, object?>
                        {
                            ["counts"] = current,
                            ["total"] = current.Values.Sum(),
                            ["rows"] = added.Select(TaskRows.ToJson).ToList(),
                            ["states"] = states,
                            ["last_id"] = after,
                        });
                        lastSent = comparable;
                    }
                }
                catch (Exception e) when (e is System.Data.Common.DbException or FormatException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
                {
                    LogReadFailed(logger, e.GetType().Name, e.Message);
                }

                if (payload is not null)
                {
                    await response.WriteAsync("event: update\ndata: " + payload + "\n\n", cancellationToken).ConfigureAwait(false);
                    await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                    lastWrite = time.GetUtcNow();
                }
                else if (time.GetUtcNow() - lastWrite >= Heartbeat)
                {
                    // A comment line keeps proxies and the browser from closing an idle stream.
                    await response.WriteAsync(": idle\n\n", cancellationToken).ConfigureAwait(false);
                    await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                    lastWrite = time.GetUtcNow();
                }

                await Task.Delay(options.LiveUpdateInterval, time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The page closed or the dashboard stops.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dashboard: a live update could not be read ({ExceptionType}: {Reason}); trying again")]
    private static partial void LogReadFailed(ILogger logger, string exceptionType, string reason);
}
