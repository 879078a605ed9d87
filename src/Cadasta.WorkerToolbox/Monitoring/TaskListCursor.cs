using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>
/// A position in the task list (the list is ordered by <c>created</c>, then by record id): the last task of a page.
/// Its text form (<see cref="ToString"/>, <see cref="TryParse"/>) goes into page links.
/// </summary>
/// <param name="Created">When the task was recorded (microsecond precision, as stored).</param>
/// <param name="Id">The record's id (insertion order), which orders tasks recorded at the same time.</param>
public sealed record TaskListCursor(DateTimeOffset Created, long Id)
{
    private const string TimeFormat = "yyyyMMdd'T'HHmmss'.'ffffff'Z'";

    /// <summary>The cursor as text: <c>20261128T093000.123456Z_42</c>.</summary>
    public override string ToString() =>
        Created.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture) + "_" + Id.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads the text form of a cursor; false for anything else.</summary>
    /// <param name="text">The text, e.g. from a query string.</param>
    /// <param name="cursor">The cursor when the text is one.</param>
    public static bool TryParse(string? text, [NotNullWhen(true)] out TaskListCursor? cursor)
    {
        cursor = null;
        var separator = text?.IndexOf('_', StringComparison.Ordinal) ?? -1;
        if (text is null || separator <= 0
            || !DateTime.TryParseExact(text[..separator], TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var created)
            || !long.TryParse(text[(separator + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return false;
        }

        cursor = new TaskListCursor(new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)), id);
        return true;
    }
}
