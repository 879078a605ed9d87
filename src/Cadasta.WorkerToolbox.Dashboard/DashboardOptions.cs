using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.Dashboard;

/// <summary>
/// What the dashboard reads and how it is served. A class rather than a record on purpose: a record's
/// generated <c>ToString</c> would print the credentials.
/// </summary>
public sealed class DashboardOptions
{
    /// <summary>The address the dashboard listens on unless told otherwise: the loopback interface only.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5555";

    /// <summary>Celery's result backend URL (<c>db+postgresql://...</c> or <c>db+sqlite:///...</c>) holding the monitor's records.</summary>
    public required string ResultBackendUrl { get; init; }

    /// <summary>The addresses Kestrel listens on (port 0 picks a free port); <see cref="DefaultUrl"/> by default.</summary>
    public IReadOnlyList<string> Urls { get; init; } = [DefaultUrl];

    /// <summary>Where the per-queue backlog comes from (a transport implementing <see cref="IQueueBacklog"/>); null hides it.</summary>
    public IQueueBacklog? QueueBacklog { get; init; }

    /// <summary>The queues whose backlog the overview shows.</summary>
    public IReadOnlyList<string> Queues { get; init; } = [];

    /// <summary>
    /// When set, every request must carry this token: <c>Authorization: Bearer TOKEN</c>, or the cookie a browser gets
    /// by opening any page once with <c>?token=TOKEN</c>. Never logged.
    /// </summary>
    public string? BearerToken { get; init; }

    /// <summary>When set (with <see cref="BasicAuthPassword"/>), requests may authenticate with HTTP basic authentication.</summary>
    public string? BasicAuthUser { get; init; }

    /// <summary>The basic-authentication password. Never logged.</summary>
    public string? BasicAuthPassword { get; init; }

    /// <summary>Shows every argument and keyword argument value as <c>***</c> (their number and names stay visible).</summary>
    public bool MaskArguments { get; init; }

    /// <summary>The least time between two live updates sent to one browser.</summary>
    public TimeSpan LiveUpdateInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a queue backlog reading is reused before the broker is asked again.</summary>
    public TimeSpan BacklogRefreshInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Tasks per page of the task list.</summary>
    public int PageSize { get; init; } = 50;

    /// <summary>The clock of the overview's chart and the live updates.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>True when a token or basic-authentication credentials are set.</summary>
    internal bool RequiresAuthentication =>
        !string.IsNullOrEmpty(BearerToken) || (!string.IsNullOrEmpty(BasicAuthUser) && !string.IsNullOrEmpty(BasicAuthPassword));

    /// <summary>The access scheme for logs: never the secret.</summary>
    internal string AccessDescription => (BearerToken, BasicAuthUser) switch
    {
        ({ Length: > 0 }, { Length: > 0 }) => "bearer token or basic authentication",
        ({ Length: > 0 }, _) => "bearer token",
        (_, { Length: > 0 }) => "basic authentication",
        _ => "open (no authentication)",
    };
}
