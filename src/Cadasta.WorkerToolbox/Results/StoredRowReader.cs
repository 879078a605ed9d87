using System.Data.Common;

namespace Cadasta.WorkerToolbox.Results;

/// <summary>
/// Reading one <c>celery_taskmeta</c> row, the same on every database but for how bytes and
/// date_done come out of the driver.
/// </summary>
internal static class StoredRowReader
{
    /// <summary>The SELECT for one task id, with the result_extended columns when the table has them.</summary>
    public static string SelectSql(bool extended, string taskIdParameter) =>
        "SELECT task_id, status, result, date_done, traceback"
        + (extended ? ", name, args, kwargs, worker, retries, queue" : string.Empty)
        + " FROM celery_taskmeta WHERE task_id = " + taskIdParameter;

    /// <summary>The current row of a reader running <see cref="SelectSql"/>.</summary>
    public static StoredRow Read(DbDataReader reader, bool extended, Func<DbDataReader, int, byte[]> bytes, Func<DbDataReader, int, DateTime> utcDateTime) =>
        new(
            reader.GetString(0),
            reader.IsDBNull(1) ? TaskStates.Pending : reader.GetString(1),
            reader.IsDBNull(2) ? null : bytes(reader, 2),
            reader.IsDBNull(3) ? null : utcDateTime(reader, 3),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            extended
                ? new ExtendedColumns(
                    reader.IsDBNull(5) ? null : reader.GetString(5),
                    reader.IsDBNull(6) ? null : bytes(reader, 6),
                    reader.IsDBNull(7) ? null : bytes(reader, 7),
                    reader.IsDBNull(8) ? null : reader.GetString(8),
                    reader.IsDBNull(9) ? null : reader.GetInt32(9),
                    reader.IsDBNull(10) ? null : reader.GetString(10))
                : null);
}
