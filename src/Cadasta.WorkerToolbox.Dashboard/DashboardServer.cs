using Cadasta.WorkerToolbox.Monitoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cadasta.WorkerToolbox.Dashboard;

/// <summary>
/// The dashboard web app on Kestrel: an overview (tasks per state, finished per minute over the last hour, queue
/// backlogs), a filtered task list, a family view and a task view, with live updates by server-sent events.
/// Read-only, on 127.0.0.1 unless told otherwise, optionally behind a bearer token or basic authentication.
/// </summary>
public sealed partial class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskRecordBrowser _browser;
    private readonly IDisposable[] _owned;
    private readonly CancellationTokenSource _stopping;
    private int _disposed;

    private DashboardServer(WebApplication app, TaskRecordBrowser browser, IDisposable[] owned, CancellationTokenSource stopping, IReadOnlyList<string> addresses)
    {
        _app = app;
        _browser = browser;
        _owned = owned;
        _stopping = stopping;
        Addresses = addresses;
    }

    /// <summary>The addresses the dashboard listens on (with the port Kestrel picked for port 0).</summary>
    public IReadOnlyList<string> Addresses { get; }

    /// <summary>Starts serving; returns once Kestrel listens.</summary>
    /// <param name="options">What to read and how to serve it.</param>
    /// <param name="loggerFactory">Where the dashboard logs (start, unreadable database, broker without backlog); never a secret.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="FormatException">The result backend URL is not a supported database URL.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="IOException">An address cannot be bound (in use, or not a local address).</exception>
    public static async Task<DashboardServer> StartAsync(DashboardOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PageSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.PageSize, 1000, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.LiveUpdateInterval, TimeSpan.FromMilliseconds(100), nameof(options));
        if (options.Urls.Count == 0)
        {
            throw new ArgumentException("Give the dashboard at least one address to listen on.", nameof(options));
        }

        loggerFactory ??= NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger<DashboardServer>();
        var browser = TaskRecordBrowser.Create(options.ResultBackendUrl);
        var backlog = new QueueBacklogReader(options.QueueBacklog, options.Queues, options.BacklogRefreshInterval, options.TimeProvider, logger);
        var counts = new ThrottledValue<IReadOnlyDictionary<string, long>>(browser.CountByStateAsync, options.LiveUpdateInterval, options.TimeProvider);
        var stopping = new CancellationTokenSource();
        try
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
            {
                Args = [],
                ApplicationName = typeof(DashboardServer).Assembly.GetName().Name,
                EnvironmentName = Environments.Production,
                ContentRootPath = AppContext.BaseDirectory,
            });

            // ASP.NET Core's own request logs would show query strings (a ?token=...): they are not kept.
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls([.. options.Urls]);
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
            builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
            var app = builder.Build();
            var live = new LiveUpdates(browser, counts, options, logger);
            new DashboardEndpoints(options, browser, backlog, counts, live, new DashboardAccess(options), logger).Map(app, stopping.Token);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var addresses = app.Urls.ToList();
            LogStarted(logger, addresses, options.AccessDescription);
            return new DashboardServer(app, browser, [backlog, counts, stopping], stopping, addresses);
        }
        catch
        {
            await browser.DisposeAsync().ConfigureAwait(false);
            backlog.Dispose();
            counts.Dispose();
            stopping.Dispose();
            throw;
        }
    }

    /// <summary>Closes the live streams, stops Kestrel and closes the database connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await _browser.DisposeAsync().ConfigureAwait(false);
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dashboard listening on {Addresses} (read-only; access: {Access})")]
    private static partial void LogStarted(ILogger logger, IReadOnlyList<string> addresses, string access);
}
