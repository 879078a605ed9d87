using System.Data.Common;
using Cadasta.WorkerToolbox.Monitoring;
using Cadasta.WorkerToolbox.Results;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Dashboard;

/// <summary>
/// The dashboard's pages and streams. Every request first gets the security headers, then must be a GET or HEAD
/// (the dashboard changes nothing), then passes the access check. Pages are rendered on the server from the
/// browser's queries; a database that cannot be read gives a 503 page, logged.
/// </summary>
internal sealed partial class DashboardEndpoints(
    DashboardOptions options,
    TaskRecordBrowser browser,
    QueueBacklogReader backlog,
    ThrottledValue<IReadOnlyDictionary<string, long>> counts,
    LiveUpdates live,
    DashboardAccess access,
    ILogger logger)
{
    public const int LatestOnOverview = 10;

    public void Map(WebApplication app, CancellationToken stopping)
    {
        app.Use(async (context, next) =>
        {
            SecurityHeaders.Apply(context.Response);
            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            {
                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                context.Response.Headers.Allow = "GET, HEAD";
                return;
            }

            if (await access.AdmitAsync(context).ConfigureAwait(false))
            {
                await next(context).ConfigureAwait(false);
            }
        });
        Get(app, DashboardLinks.Overview, context => PageAsync(context, OverviewAsync));
        Get(app, DashboardLinks.Tasks, context => PageAsync(context, TaskListAsync));
        Get(app, "/family", context => PageAsync(context, FamilyAsync));
        Get(app, "/task", context => PageAsync(context, TaskAsync));
        Get(app, DashboardLinks.Events, context => live.StreamAsync(context, stopping));
        Get(app, DashboardLinks.Script, context => AssetAsync(context, EmbeddedAssets.Script, "text/javascript; charset=utf-8"));
        Get(app, DashboardLinks.Style, context => AssetAsync(context, EmbeddedAssets.Style, "text/css; charset=utf-8"));
        app.MapFallback(context => WriteAsync(context, StatusCodes.Status404NotFound, PageLayout.Error("Not found", "There is no such page.")));
    }

    /// <summary>A page for GET and HEAD (Kestrel sends no body for HEAD).</summary>
    private static void Get(WebApplication app, string path, RequestDelegate handler) =>
        app.MapMethods(path, [HttpMethods.Get, HttpMethods.Head], handler);

    private async Task<(int Status, string Html)> OverviewAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var now = options.TimeProvider.GetUtcNow();
        var lastId = await browser.GetLastIdAsync(cancellationToken).ConfigureAwait(false);
        var stateCounts = await counts.GetAsync(cancellationToken).ConfigureAwait(false);
        var activity = await browser.GetActivityAsync(now.AddMinutes(-ActivityChart.Minutes), cancellationToken).ConfigureAwait(false);
        var latest = await browser.ListAsync(new TaskListQuery { Limit = LatestOnOverview }, cancellationToken).ConfigureAwait(false);
        var queues = await backlog.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (StatusCodes.Status200OK, OverviewPage.Render(new OverviewPage.Data(
            stateCounts, ActivityChart.LastHour(activity, now), backlog.Enabled, queues, latest.Items, lastId)));
    }

    private async Task<(int Status, string Html)> TaskListAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var filters = TaskListFilters.FromQuery(name => context.Request.Query[name].ToString());
        var (query, error) = filters.ToQuery(options.PageSize);
        var lastId = await browser.GetLastIdAsync(cancellationToken).ConfigureAwait(false);
        if (query is null)
        {
            return (StatusCodes.Status400BadRequest, TaskListView.Render(filters, null, error, lastId));
        }

        var page = await browser.ListAsync(query, cancellationToken).ConfigureAwait(false);
        return (StatusCodes.Status200OK, TaskListView.Render(filters, page, null, lastId));
    }

    private async Task<(int Status, string Html)> FamilyAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var root = context.Request.Query["root"].ToString();
        if (root.Length == 0)
        {
            return (StatusCodes.Status400BadRequest, PageLayout.Error("No family", "Name the family's root task id: /family?root=ID."));
        }

        var lastId = await browser.GetLastIdAsync(cancellationToken).ConfigureAwait(false);
        var details = await browser.GetFamilyAsync(root, cancellationToken).ConfigureAwait(false);
        return details.Items.Count == 0
            ? (StatusCodes.Status404NotFound, PageLayout.Error("Unknown family", "No recorded task has the root id " + root + "."))
            : (StatusCodes.Status200OK, FamilyPage.Render(details, lastId));
    }

    private async Task<(int Status, string Html)> TaskAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var id = context.Request.Query["id"].ToString();
        if (id.Length == 0)
        {
            return (StatusCodes.Status400BadRequest, PageLayout.Error("No task", "Name the task id: /task?id=ID."));
        }

        var lastId = await browser.GetLastIdAsync(cancellationToken).ConfigureAwait(false);
        var details = await browser.GetTaskAsync(id, cancellationToken).ConfigureAwait(false);
        return details is null
            ? (StatusCodes.Status404NotFound, PageLayout.Error("Unknown task", "No task with the id " + id + " was recorded."))
            : (StatusCodes.Status200OK, TaskPage.Render(details, options.MaskArguments, lastId));
    }

    private async Task PageAsync(HttpContext context, Func<HttpContext, CancellationToken, Task<(int Status, string Html)>> render)
    {
        int status;
        string html;
        try
        {
            (status, html) = await render(context, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DbException or ResultStoreException or FormatException or InvalidOperationException && !context.RequestAborted.IsCancellationRequested)
        {
            LogPageFailed(logger, context.Request.Path, e.GetType().Name, e.Message);
            (status, html) = (StatusCodes.Status503ServiceUnavailable, PageLayout.Error("Cannot read the result database", e.Message));
        }

        await WriteAsync(context, status, html).ConfigureAwait(false);
    }

    private static async Task WriteAsync(HttpContext context, int status, string html)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(html, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task AssetAsync(HttpContext context, byte[] content, string contentType)
    {
        context.Response.ContentType = contentType;
        context.Response.ContentLength = content.Length;
        await context.Response.Body.WriteAsync(content, context.RequestAborted).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dashboard: page {Path} failed ({ExceptionType}: {Reason})")]
    private static partial void LogPageFailed(ILogger logger, string path, string exceptionType, string reason);
}
