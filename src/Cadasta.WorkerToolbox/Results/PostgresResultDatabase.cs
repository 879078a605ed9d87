using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace Cadasta.WorkerToolbox.Results;

/// <summary>
/// Celery's result tables on PostgreSQL through one pooled <see cref="NpgsqlDataSource"/>. A batch of rows is sent
/// as one <see cref="NpgsqlBatch"/>: one round trip, one implicit transaction (all rows or none), committed when
/// the call returns. Each row is an <c>INSERT ... ON CONFLICT (task_id) DO UPDATE</c>, atomic under concurrency.
/// </summary>
internal sealed class PostgresResultDatabase : IResultDatabase
{
    // Serialises table creation between processes that start at the same time (CREATE races on pg_type).
    private const long SchemaLockKey = 0x43656c6572795253; // "CeleryRS"

    // The positional parameters of the upsert, in the order WriteAsync adds them.
    private static readonly string[] ParameterOrder = ["task_id", "status", "result", "traceback", "ready", "now", .. ResultTableShape.ExtendedColumnNames];

    private readonly NpgsqlDataSource dataSource;
    private readonly bool writeExtended;
    private readonly ResultTableShapeOnce shape;
    private string? upsertSql;

    public PostgresResultDatabase(ResultBackendUrl url, bool writeExtended)
    {
        dataSource = NpgsqlDataSource.Create(url.ConnectionString);
        Endpoint = url.Redacted;
        this.writeExtended = writeExtended;
        shape = new ResultTableShapeOnce(CreateAndReadShapeAsync);
    }

    public string Endpoint { get; }

    /// <summary>True when the existing table lacks the columns result_extended needs.</summary>
    public bool ExtendedColumnsMissing => writeExtended && shape.Known is { HasExtendedColumns: false };

    public Task EnsureSchemaAsync(CancellationToken cancellationToken) => shape.GetAsync(cancellationToken);

    private async Task<ResultTableShape> CreateAndReadShapeAsync(CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        await using var connectionScope = connection.ConfigureAwait(false);
        if (!await AllObjectsExistAsync(connection, cancellationToken).ConfigureAwait(false))
        {
            await CreateMissingAsync(connection, cancellationToken).ConfigureAwait(false);
        }

        var found = await ReadShapeAsync(connection, cancellationToken).ConfigureAwait(false);
        upsertSql = BuildUpsert(found, writeExtended && found.HasExtendedColumns);
        return found;
    }

    public async Task WriteAsync(IReadOnlyList<ResultRow> rows, DateTime utcNow, CancellationToken cancellationToken)
    {
        var table = await shape.GetAsync(cancellationToken).ConfigureAwait(false);
        var extended = writeExtended && table.HasExtendedColumns;
        var now = table.DateDoneHasTimeZone
            ? DateTime.SpecifyKind(utcNow, DateTimeKind.Utc)
            : DateTime.SpecifyKind(utcNow, DateTimeKind.Unspecified);
        var nowType = table.DateDoneHasTimeZone ? NpgsqlDbType.TimestampTz : NpgsqlDbType.Timestamp;

        var batch = dataSource.CreateBatch();

        await using var batchScope = batch.ConfigureAwait(false);
        foreach (var row in rows)
        {
            var command = new NpgsqlBatchCommand(upsertSql!);
            command.Parameters.Add(new NpgsqlParameter<string>{ TypedValue = row.TaskId, NpgsqlDbType = NpgsqlDbType.Varchar });
            command.Parameters.Add(new NpgsqlParameter<string>{ TypedValue = row.Status, NpgsqlDbType = NpgsqlDbType.Varchar });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)row.Result ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bytea });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)row.Traceback ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = row.IsReady, NpgsqlDbType = NpgsqlDbType.Boolean });
            command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = now, NpgsqlDbType = nowType });
            if (extended)
            {
                var columns = row.Extended;
                command.Parameters.Add(new NpgsqlParameter { Value = (object?)columns?.Name ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
                command.Parameters.Add(new NpgsqlParameter { Value = (object?)columns?.Args ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bytea });
                command.Parameters.Add(new NpgsqlParameter { Value = (object?)columns?.Kwargs ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bytea });
                command.Parameters.Add(new NpgsqlParameter { Value = (object?)columns?.Worker ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
                command.Parameters.Add(new NpgsqlParameter { Value = (object?)columns?.Retries ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
                command.Parameters.Add(new NpgsqlParameter { Value = (object?)columns?.Queue ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
            }

            batch.BatchCommands.Add(command);
        }

        // No explicit transaction: a batch runs in one implicit transaction, committed before this returns.
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredRow?> ReadAsync(string taskId, CancellationToken cancellationToken)
    {
        var extended = (await shape.GetAsync(cancellationToken).ConfigureAwait(false)).HasExtendedColumns;
        var command = dataSource.CreateCommand(StoredRowReader.SelectSql(extended, "$1"));
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = taskId, NpgsqlDbType = NpgsqlDbType.Varchar });
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return StoredRowReader.Read(
            reader,
            extended,
            (row, i) => row.GetFieldValue<byte[]>(i),
            (row, i) => DateTime.SpecifyKind(row.GetDateTime(i), DateTimeKind.Utc));
    }

    public bool IsTransient(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.IsTransient || postgres.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is IOException or System.Net.Sockets.SocketException or TimeoutException,
        TimeoutException or IOException or System.Net.Sockets.SocketException => true,
        _ => false,
    };

    public async ValueTask DisposeAsync()
    {
        await dataSource.DisposeAsync().ConfigureAwait(false);
        shape.Dispose();
    }

    internal static string BuildUpsert(ResultTableShape table, bool extended) =>
        new ResultUpsertSql(
            "celery_taskmeta AS t",
            "t",
            "EXCLUDED",
            "IS DISTINCT FROM",
            name => "$" + (Array.IndexOf(ParameterOrder, name) + 1).ToString(CultureInfo.InvariantCulture),
            table.IdHasDefault ? null : ("id", "nextval('task_id_sequence')")).Build(extended);

    private static async Task<bool> AllObjectsExistAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(
            "SELECT to_regclass('celery_taskmeta') IS NOT NULL AND to_regclass('celery_tasksetmeta') IS NOT NULL",
            connection);
        await using var commandScope = command.ConfigureAwait(false);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task CreateMissingAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({SchemaLockKey})", connection, transaction);
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        // Like SQLAlchemy's checkfirst: each table only when missing; its sequence only when missing too.
        (string Table, string Sequence, string TableDdl, string SequenceDdl)[] objects =
        [
            (CeleryResultSchema.TaskTable, CeleryResultSchema.TaskSequence, CeleryResultSchema.PostgresTaskTableDdl, CeleryResultSchema.PostgresTaskSequenceDdl),
            (CeleryResultSchema.GroupTable, CeleryResultSchema.GroupSequence, CeleryResultSchema.PostgresGroupTableDdl, CeleryResultSchema.PostgresGroupSequenceDdl),
        ];
        foreach (var (table, sequence, tableDdl, sequenceDdl) in objects)
        {
            if (await ExistsAsync(connection, transaction, table, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            if (!await ExistsAsync(connection, transaction, sequence, cancellationToken).ConfigureAwait(false))
            {
                await ExecuteAsync(connection, transaction, sequenceDdl, cancellationToken).ConfigureAwait(false);
            }

            await ExecuteAsync(connection, transaction, tableDdl, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<bool> ExistsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection, transaction);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name, NpgsqlDbType = NpgsqlDbType.Text });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        await using var commandScope = command.ConfigureAwait(false);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<ResultTableShape> ReadShapeAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(
            """
            SELECT a.attname, t.typname, a.atthasdef
            FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
            WHERE a.attrelid = to_regclass('celery_taskmeta') AND a.attnum > 0 AND NOT a.attisdropped
            """,
            connection);
        await using var commandScope = command.ConfigureAwait(false);
        var columns = new Dictionary<string, (string Type, bool HasDefault)>(StringComparer.Ordinal);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            columns[reader.GetString(0)] = (reader.GetString(1), reader.GetBoolean(2));
        }

        return columns.Count == 0
            ? throw new ResultStoreException("Table celery_taskmeta is still missing after creating it.")
            : ResultTableShape.FromColumns(columns);
    }
}
