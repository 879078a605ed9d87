using System.Text;

namespace Cadasta.WorkerToolbox.Results;

/// <summary>
/// The upsert of one <c>celery_taskmeta</c> row, in the dialect of the database it runs on. Celery
/// 5.2 via SQLAlchemy sets date_done = utcnow for ready states. For other states it assigns None,
/// which the ORM writes as NULL when the row had a date but skips when the row already had NULL;
/// then the column's <c>onupdate=utcnow</c> fires if anything else changed. Reproduced so our
/// rows match Celery's.
/// </summary>
/// <param name="Into">What follows <c>INSERT INTO</c>: the table, with an alias if the dialect uses one.</param>
/// <param name="Existing">How the statement names the row already stored (the alias or the table).</param>
/// <param name="Excluded">How it names the row proposed for insertion.</param>
/// <param name="DiffersFrom">The null-safe inequality operator.</param>
/// <param name="Parameter">The placeholder of a value: a column name, <c>ready</c> or <c>now</c>.</param>
/// <param name="IdColumn">The id column and its value when the table has no default for it (else empty).</param>
internal sealed record ResultUpsertSql(
    string Into,
    string Existing,
    string Excluded,
    string DiffersFrom,
    Func<string, string> Parameter,
    (string Column, string Value)? IdColumn = null)
{
    public string Build(bool extended)
    {
        var sql = new StringBuilder("INSERT INTO ").Append(Into).Append(" (").Append(IdColumn is { } id ? id.Column + ", " : string.Empty)
            .Append("task_id, status, result, date_done, traceback");
        if (extended)
        {
            sql.Append(", ").AppendJoin(", ", ResultTableShape.ExtendedColumnNames);
        }

        sql.Append(") VALUES (").Append(IdColumn is { } idValue ? idValue.Value + ", " : string.Empty)
            .Append(Parameter("task_id")).Append(", ").Append(Parameter("status")).Append(", ").Append(Parameter("result"))
            .Append(", CASE WHEN ").Append(Parameter("ready")).Append(" THEN ").Append(Parameter("now")).Append(" END, ")
            .Append(Parameter("traceback"));
        if (extended)
        {
            sql.Append(", ").AppendJoin(", ", ResultTableShape.ExtendedColumnNames.Select(Parameter));
        }

        sql.Append(") ON CONFLICT (task_id) DO UPDATE SET ");
        var changed = new StringBuilder();
        var columns = extended ? ["status", "result", "traceback", .. ResultTableShape.ExtendedColumnNames] : new[] { "status", "result", "traceback" };
        foreach (var column in columns)
        {
            var first = changed.Length == 0;
            sql.Append(first ? string.Empty : ", ").Append(column).Append(" = ").Append(Excluded).Append('.').Append(column);
            changed.Append(first ? string.Empty : " OR ").Append(Existing).Append('.').Append(column)
                .Append(' ').Append(DiffersFrom).Append(' ').Append(Excluded).Append('.').Append(column);
        }

        sql.Append(", date_done = CASE WHEN ").Append(Parameter("ready")).Append(" THEN ").Append(Parameter("now"))
            .Append(" WHEN ").Append(Existing).Append(".date_done IS NULL AND (").Append(changed).Append(") THEN ").Append(Parameter("now"))
            .Append(" ELSE NULL END");
        return sql.ToString();
    }
}
