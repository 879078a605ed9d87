using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Cadasta.WorkerToolbox.Results;

/// <summary>
/// Celery's result tables in an SQLite file (the embedded default). A batch is one IMMEDIATE transaction on a
/// pooled connection with one prepared upsert executed per row. date_done is text in SQLAlchemy's SQLite format
/// (<c>2026-11-28 11:14:10.355829</c>), which SQLAlchemy parses back.
/// </summary>
internal sealed class SqliteResultDatabase : IResultDatabase
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    private static readonly ResultUpsertSql Upsert = new("celery_taskmeta", "celery_taskmeta", "excluded", "IS NOT", name => "$" + name);

    private readonly string connectionString;
    private readonly bool writeExtended;
    private readonly ResultTableShapeOnce shape;

    public SqliteResultDatabase(ResultBackendUrl url, bool writeExtended)
    {
        connectionString = url.ConnectionString;
        Endpoint = url.Redacted;
        this.writeExtended = writeExtended;
        shape = new ResultTableShapeOnce(CreateAndReadShapeAsync);
    }

    public string Endpoint { get; }

    public bool ExtendedColumnsMissing => writeExtended && shape.Known is { HasExtendedColumns: false };

    public Task EnsureSchemaAsync(CancellationToken cancellationToken) => shape.GetAsync(cancellationToken);

    private async Task<ResultTableShape> CreateAndReadShapeAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            foreach (var ddl in new[] { CeleryResultSchema.SqliteTaskTableDdl, CeleryResultSchema.SqliteGroupTableDdl })
            {
                var create = connection.CreateCommand();
                await using var createScope = create.ConfigureAwait(false);
                create.Transaction = transaction;
                create.CommandText = ddl;
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        var columns = new Dictionary<string, (string Type, bool HasDefault)>(StringComparer.Ordinal);
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = "SELECT name, type, dflt_value IS NOT NULL FROM pragma_table_info('celery_taskmeta')";
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                columns[reader.GetString(0)] = (reader.GetString(1), reader.GetBoolean(2));
            }
        }

        return ResultTableShape.FromColumns(columns) with { IdHasDefault = true };
    }

    public async Task WriteAsync(IReadOnlyList<ResultRow> rows, DateTime utcNow, CancellationToken cancellationToken)
    {
        var table = await shape.GetAsync(cancellationToken).ConfigureAwait(false);
        var extended = writeExtended && table.HasExtendedColumns;
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.Transaction = transaction;
        command.CommandText = BuildUpsert(extended);
        var taskId = command.Parameters.Add("$task_id", SqliteType.Text);
        var status = command.Parameters.Add("$status", SqliteType.Text);
        var result = command.Parameters.Add("$result", SqliteType.Blob);
        var traceback = command.Parameters.Add("$traceback", SqliteType.Text);
        var ready = command.Parameters.Add("$ready", SqliteType.Integer);
        command.Parameters.AddWithValue("$now", FormatDateTime(utcNow));
        SqliteParameter[] extendedParameters = extended
            ? [.. ResultTableShape.ExtendedColumnNames.Select(column => command.Parameters.Add("$" + column, SqliteType.Text))]
            : [];
        foreach (var row in rows)
        {
            taskId.Value = row.TaskId;
            status.Value = row.Status;
            result.Value = (object?)row.Result ?? DBNull.Value;
            traceback.Value = (object?)row.Traceback ?? DBNull.Value;
            ready.Value = row.IsReady ? 1 : 0;
            if (extended)
            {
                var columns = row.Extended;
                extendedParameters[0].Value = (object?)columns?.Name ?? DBNull.Value;
                extendedParameters[1].Value = (object?)columns?.Args ?? DBNull.Value;
                extendedParameters[1].SqliteType = SqliteType.Blob;
                extendedParameters[2].Value = (object?)columns?.Kwargs ?? DBNull.Value;
                extendedParameters[2].SqliteType = SqliteType.Blob;
                extendedParameters[3].Value = (object?)columns?.Worker ?? DBNull.Value;
                extendedParameters[4].Value = (object?)columns?.Retries ?? DBNull.Value;
                extendedParameters[4].SqliteType = SqliteType.Integer;
                extendedParameters[5].Value = (object?)columns?.Queue ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredRow?> ReadAsync(string taskId, CancellationToken cancellationToken)
    {
        var extended = (await shape.GetAsync(cancellationToken).ConfigureAwait(false)).HasExtendedColumns;
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText = StoredRowReader.SelectSql(extended, "$task_id");
        command.Parameters.AddWithValue("$task_id", taskId);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return StoredRowReader.Read(reader, extended, (row, i) => AsBytes(row.GetValue(i)), (row, i) => ParseDateTime(row.GetValue(i)));
    }

    public bool IsTransient(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked };

    public ValueTask DisposeAsync()
    {
        shape.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>SQLAlchemy's SQLite DATETIME storage format.</summary>
    internal static string FormatDateTime(DateTime utc) => utc.ToString("yyyy'-'MM'-'dd HH':'mm':'ss'.'ffffff", CultureInfo.InvariantCulture);

    internal static DateTime ParseDateTime(object value) => value switch
    {
        string text => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
        DateTime moment => DateTime.SpecifyKind(moment, DateTimeKind.Utc),
        _ => throw new ResultStoreException($"Unexpected date_done value of type {value.GetType()} in celery_taskmeta."),
    };

    internal static string BuildUpsert(bool extended) => Upsert.Build(extended);

    private static byte[] AsBytes(object value) => value as byte[] ?? Encoding.UTF8.GetBytes(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
