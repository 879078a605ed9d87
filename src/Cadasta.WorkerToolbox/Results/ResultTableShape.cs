namespace Cadasta.WorkerToolbox.Results;

/// <summary>
/// What an existing <c>celery_taskmeta</c> looks like: Celery 5.2 creates the result_extended columns and a naive
/// <c>timestamp</c>; the Cadasta platform's Django table has no extended columns, a <c>timestamptz</c> date_done and
/// a column default for id.
/// </summary>
/// <param name="HasExtendedColumns">name, args, kwargs, worker, retries, queue exist.</param>
/// <param name="DateDoneHasTimeZone">date_done is <c>timestamp with time zone</c>.</param>
/// <param name="IdHasDefault">id gets its value from a column default (else we call nextval).</param>
internal sealed record ResultTableShape(bool HasExtendedColumns, bool DateDoneHasTimeZone, bool IdHasDefault)
{
    public static readonly IReadOnlyList<string> ExtendedColumnNames = ["name", "args", "kwargs", "worker", "retries", "queue"];

    public static ResultTableShape FromColumns(IReadOnlyDictionary<string, (string Type, bool HasDefault)> columns) =>
        new(
            ExtendedColumnNames.All(columns.ContainsKey),
            columns.TryGetValue("date_done", out var dateDone) && dateDone.Type == "timestamptz",
            columns.TryGetValue("id", out var id) && id.HasDefault);
}
