namespace Cadasta.WorkerToolbox.Results;

/// <summary>One <c>celery_taskmeta</c> row as bytes and text, ready for SQL parameters.</summary>
/// <param name="TaskId">task_id.</param>
/// <param name="Status">status.</param>
/// <param name="Result">result (pickle) or null.</param>
/// <param name="Traceback">traceback.</param>
/// <param name="Extended">The result_extended columns, when written.</param>
internal sealed record ResultRow(string TaskId, string Status, byte[]? Result, string? Traceback, ExtendedColumns? Extended)
{
    public bool IsReady => TaskStates.IsReady(Status);
}

/// <summary>The columns Celery writes only with <c>result_extended</c>: name, args, kwargs, worker, retries, queue.</summary>
internal sealed record ExtendedColumns(string? Name, byte[]? Args, byte[]? Kwargs, string? Worker, int? Retries, string? Queue);

/// <summary>A row as read back, date_done already in UTC.</summary>
internal sealed record StoredRow(
    string TaskId,
    string Status,
    byte[]? Result,
    DateTime? DateDoneUtc,
    string? Traceback,
    ExtendedColumns? Extended);
