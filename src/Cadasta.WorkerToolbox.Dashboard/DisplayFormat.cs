using System.Globalization;
using Cadasta.WorkerToolbox.Results;

namespace Cadasta.WorkerToolbox.Dashboard;

/// <summary>How times, durations and states read on the pages (times always in UTC).</summary>
internal static class DisplayFormat
{
    /// <summary>The states in the order the overview shows them; other states follow by name.</summary>
    public static IReadOnlyList<string> KnownStates { get; } =
        [TaskStates.Pending, TaskStates.Started, TaskStates.Retry, TaskStates.Success, TaskStates.Failure, TaskStates.Revoked];

    public static string Time(DateTimeOffset? moment) =>
        moment is { } value ? value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "-";

    public static string IsoTime(DateTimeOffset moment) =>
        moment.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string Duration(TimeSpan? duration) => duration switch
    {
        null => "-",
        { TotalMilliseconds: < 1000 } d => d.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms",
        { TotalSeconds: < 60 } d => d.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s",
        { TotalHours: < 1 } d => string.Create(CultureInfo.InvariantCulture, $"{(int)d.TotalMinutes} min {d.Seconds} s"),
        { } d => string.Create(CultureInfo.InvariantCulture, $"{(int)d.TotalHours} h {d.Minutes} min"),
    };

    /// <summary>A CSS class for a state: the state's letters, or <c>state-OTHER</c> for anything unusual.</summary>
    public static string StateClass(string state) =>
        "state state-" + (state.Length is > 0 and <= 20 && state.All(char.IsAsciiLetterUpper) ? state : "OTHER");

    public static string ShortId(string id) => id.Length > 8 ? id[..8] : id;
}
