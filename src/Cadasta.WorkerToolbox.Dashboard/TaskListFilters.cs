using System.Globalization;
using Cadasta.WorkerToolbox.Monitoring;

namespace Cadasta.WorkerToolbox.Dashboard;

/// <summary>The task list's filters as the query string carries them, checked; times are UTC.</summary>
internal sealed record TaskListFilters(string? State, string? Name, string? Creator, string? From, string? To, string? Before)
{
    private static readonly string[] TimeFormats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd"];

    public bool IsFiltered => !string.IsNullOrEmpty(State) || !string.IsNullOrEmpty(Name) || !string.IsNullOrEmpty(Creator)
        || !string.IsNullOrEmpty(From) || !string.IsNullOrEmpty(To);

    public static TaskListFilters FromQuery(Func<string, string?> get) =>
        new(Clean(get("state")), Clean(get("name")), Clean(get("creator")), Clean(get("from")), Clean(get("to")), Clean(get("before")));

    /// <summary>The query for the browser, or the reason the filters cannot be used.</summary>
    public (TaskListQuery? Query, string? Error) ToQuery(int pageSize)
    {
        if (State is not null && (State.Length > 50 || !State.All(char.IsAsciiLetterUpper)))
        {
            return (null, "The state is a Celery state name such as SUCCESS.");
        }

        if (!TryParseTime(From, out var from) || !TryParseTime(To, out var to))
        {
            return (null, "Times are UTC, written 2026-11-28T09:30 (seconds optional).");
        }

        TaskListCursor? before = null;
        if (Before is not null && !TaskListCursor.TryParse(Before, out before))
        {
            return (null, "That page position is not valid; start again from the newest tasks.");
        }

        return (new TaskListQuery
        {
            State = State,
            Name = Name,
            CreatorId = Creator,
            CreatedFrom = from,
            CreatedTo = to,
            Before = before,
            Limit = pageSize,
        }, null);
    }

    public IEnumerable<KeyValuePair<string, string?>> Pairs(string? before) =>
    [
        new("state", State),
        new("name", Name),
        new("creator", Creator),
        new("from", From),
        new("to", To),
        new("before", before),
    ];

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static bool TryParseTime(string? text, out DateTimeOffset? moment)
    {
        moment = null;
        if (text is null)
        {
            return true;
        }

        if (DateTime.TryParseExact(text.TrimEnd('Z'), TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            moment = new DateTimeOffset(DateTime.SpecifyKind(parsed, DateTimeKind.Utc));
            return true;
        }

        return false;
    }
}
