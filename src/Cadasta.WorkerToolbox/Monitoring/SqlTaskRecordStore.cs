using System.Data.Common;
using System.Globalization;
using System.Text;
using Cadasta.WorkerToolbox.Results;

namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>
/// The record table in the result database (PostgreSQL or SQLite). Inserts are one multi-row
/// <c>INSERT ... ON CONFLICT (task_id) DO NOTHING RETURNING task_id</c> per batch, so a task id is recorded
/// once however often and however concurrently it arrives. Queries left-join Celery's <c>celery_taskmeta</c>
/// for the state. Every column is text or a number: nothing a producer sends can make a row unwritable,
/// which would otherwise leave a message requeued for ever.
/// </summary>
internal sealed class SqlTaskRecordStore : ITaskRecordStore
{
    public const string DefaultTableName = "cadasta_task_record";
    public const string ResultTableName = "celery_taskmeta";
    private const string Pending = TaskStates.Pending;
    private const int ColumnCount = 10;

    // One statement's parameters stay far below SQLite's (32766) and PostgreSQL's (65535) limits.
    private const int MaxRowsPerStatement = 500;

    internal const string Columns =
        "task_id, type, input, options, parent_id, root_id, creator_id, related_content_type_id, related_object_id, created";

    private readonly SqlDialect _dialect;
    private readonly Func<DbConnection> _createConnection;
    private readonly string _table;
    private readonly IAsyncDisposable? _ownedResource;
    private readonly Action? _clearPool;
    private readonly TimeProvider _time;
    private volatile bool _resultTableExists;

    /// <param name="dialect">The database kind.</param>
    /// <param name="createConnection">Makes a new (unopened) connection.</param>
    /// <param name="tableName">The record table.</param>
    /// <param name="ownedResource">Disposed with the store (the connection pool).</param>
    /// <param name="clearPool">
    /// Drops the pool's idle connections. After a server restart every idle pooled connection is dead and would
    /// fail once; clearing on the first such failure lets the next attempt connect afresh.
    /// </param>
    /// <param name="timeProvider">The clock for the pause between read attempts.</param>
    public SqlTaskRecordStore(
        SqlDialect dialect,
        Func<DbConnection> createConnection,
        string tableName = DefaultTableName,
        IAsyncDisposable? ownedResource = null,
        Action? clearPool = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(createConnection);
        ArgumentException.ThrowIfNullOrEmpty(tableName);
        if (!tableName.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new ArgumentException($"The table name '{tableName}' may hold only ASCII letters, digits and '_'.", nameof(tableName));
        }

        _dialect = dialect;
        _createConnection = createConnection;
        _table = tableName;
        _ownedResource = ownedResource;
        _clearPool = clearPool;
        _time = timeProvider ?? TimeProvider.System;
    }

    public async Task EnsureSchemaAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await EnsureSchemaOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException e) when (e.IsTransient)
        {
            _clearPool?.Invoke();
            throw;
        }
    }

    private async Task EnsureSchemaOnceAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        if (_dialect == SqlDialect.PostgreSql)
        {
            // Two monitors starting together would otherwise race in CREATE TABLE IF NOT EXISTS
            // (a unique violation in pg_type); the lock is released with the transaction.
            await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock(hashtext('{_table}'))", cancellationToken).ConfigureAwait(false);
        }

        var (idColumn, createdType, integerType) = _dialect == SqlDialect.PostgreSql
            ? ("id BIGSERIAL PRIMARY KEY", "TIMESTAMPTZ", "BIGINT")
            : ("id INTEGER PRIMARY KEY AUTOINCREMENT", "TEXT", "INTEGER");

        // Byte order lets PostgreSQL answer a name prefix (LIKE 'export.%') from the index whatever the database's collation.
        var binaryCollation = _dialect == SqlDialect.PostgreSql ? " COLLATE \"C\"" : string.Empty;
        string[] statements =
        [
            $"""
            CREATE TABLE IF NOT EXISTS {_table} (
                {idColumn},
                task_id TEXT NOT NULL,
                type TEXT NOT NULL,
                input TEXT NOT NULL,
                options TEXT NOT NULL,
                parent_id TEXT NULL,
                root_id TEXT NOT NULL,
                creator_id TEXT NULL,
                related_content_type_id {integerType} NULL,
                related_object_id TEXT NULL,
                created {createdType} NOT NULL
            )
            """,
            $"CREATE UNIQUE INDEX IF NOT EXISTS {_table}_task_id_key ON {_table} (task_id)",
            $"CREATE INDEX IF NOT EXISTS {_table}_root_id_idx ON {_table} (root_id)",
            $"CREATE INDEX IF NOT EXISTS {_table}_created_idx ON {_table} (created)",

            // The dashboard's task list pages newest first by (created, id), optionally within one task name or
            // one creator: each of these indexes answers a page by reading just that page (keyset pagination).
            $"CREATE INDEX IF NOT EXISTS {_table}_created_id_idx ON {_table} (created, id)",
            $"CREATE INDEX IF NOT EXISTS {_table}_type_created_idx ON {_table} (type{binaryCollation}, created, id)",
            $"CREATE INDEX IF NOT EXISTS {_table}_creator_created_idx ON {_table} (creator_id, created, id)",
        ];
        foreach (var statement in statements)
        {
            await ExecuteAsync(connection, transaction, statement, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlySet<string>> AddIfAbsentAsync(IReadOnlyList<TaskRecord> records, CancellationToken cancellationToken = default)
    {
        // Not retried here: the monitor retries a failed batch itself, with a backoff, after requeueing.
        try
        {
            return await AddIfAbsentOnceAsync(records, cancellationToken).ConfigureAwait(false);
        }
        catch (DbException e) when (e.IsTransient)
        {
            _clearPool?.Invoke();
            throw;
        }
    }

    private async Task<IReadOnlySet<string>> AddIfAbsentOnceAsync(IReadOnlyList<TaskRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var distinct = records.DistinctBy(record => record.TaskId, StringComparer.Ordinal).ToList();
        var added = new HashSet<string>(StringComparer.Ordinal);
        if (distinct.Count == 0)
        {
            return added;
        }

        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);

        await using var connectionScope = connection.ConfigureAwait(false);
        if (distinct.Count <= MaxRowsPerStatement)
        {
            await InsertAsync(connection, null, distinct, added, cancellationToken).ConfigureAwait(false);
            return added;
        }

        // Several statements for a very large batch: one transaction keeps "committed" meaning all of them.
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        foreach (var chunk in distinct.Chunk(MaxRowsPerStatement))
        {
            await InsertAsync(connection, transaction, chunk, added, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return added;
    }

    public async Task<TrackedTask?> FindAsync(string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        var found = await QueryAsync("WHERE r.task_id = @key", taskId, orderBy: "r.id", limit: null, cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    public Task<IReadOnlyList<TrackedTask>> FindFamilyAsync(string rootId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        return QueryAsync("WHERE r.root_id = @key", rootId, orderBy: "r.created, r.id", limit: null, cancellationToken);
    }

    public async Task<IReadOnlyList<TrackedTask>> ListRecentAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var newestFirst = await QueryAsync(string.Empty, null, orderBy: "r.created DESC, r.id DESC", limit, cancellationToken).ConfigureAwait(false);
        return [.. newestFirst.Reverse()];
    }

    public ValueTask DisposeAsync() => _ownedResource?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async Task InsertAsync(
        DbConnection connection, DbTransaction? transaction, IReadOnlyList<TaskRecord> rows, HashSet<string> added, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.Transaction = transaction;
        var sql = new StringBuilder($"INSERT INTO {_table} ({Columns}) VALUES ");
        for (var row = 0; row < rows.Count; row++)
        {
            var record = rows[row];
            sql.Append(row == 0 ? "(" : ", (");
            object?[] values =
            [
                record.TaskId,
                record.TaskName,
                JsonColumn.Write(new Dictionary<string, object?> { ["args"] = record.Args, ["kwargs"] = record.Kwargs }),
                JsonColumn.Write(record.Options),
                record.ParentId,
                record.RootId,
                record.CreatorId,
                record.RelatedContentTypeId,
                record.RelatedObjectId,
                WriteCreated(record.Created),
            ];
            for (var column = 0; column < ColumnCount; column++)
            {
                var name = $"@p{(row * ColumnCount) + column}";
                sql.Append(column == 0 ? name : ", " + name);
                AddParameter(command, name, values[column]);
            }

            sql.Append(')');
        }

        sql.Append(" ON CONFLICT (task_id) DO NOTHING RETURNING task_id");
        command.CommandText = sql.ToString();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            added.Add(reader.GetString(0));
        }
    }

    private async Task<IReadOnlyList<TrackedTask>> QueryAsync(string where, string? key, string orderBy, int? limit, CancellationToken cancellationToken)
    {
        const int maxAttempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await QueryOnceAsync(where, key, orderBy, limit, cancellationToken).ConfigureAwait(false);
            }
            catch (DbException e) when (e.IsTransient && attempt < maxAttempts && !cancellationToken.IsCancellationRequested)
            {
                _clearPool?.Invoke();
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<IReadOnlyList<TrackedTask>> QueryOnceAsync(string where, string? key, string orderBy, int? limit, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var joined = await ResultTableExistsAsync(connection, cancellationToken).ConfigureAwait(false);
        var records = limit is null
            ? $"{_table} r"
            : $"(SELECT * FROM {_table} r ORDER BY {orderBy} LIMIT @limit) r";
        var sql = joined
            ? $"SELECT r.{Columns.Replace(", ", ", r.", StringComparison.Ordinal)}, COALESCE(m.status, '{Pending}') FROM {records} LEFT JOIN {ResultTableName} m ON m.task_id = r.task_id {where} ORDER BY {orderBy}"
            : $"SELECT r.{Columns.Replace(", ", ", r.", StringComparison.Ordinal)}, '{Pending}' FROM {records} {where} ORDER BY {orderBy}";
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText = sql;
        if (key is not null)
        {
            AddParameter(command, "@key", key);
        }

        if (limit is not null)
        {
            AddParameter(command, "@limit", (long)limit.Value);
        }

        var found = new List<TrackedTask>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            found.Add(ReadRow(reader));
        }

        return found;
    }

    private TrackedTask ReadRow(DbDataReader reader) => ReadRow(reader, _dialect, 0);

    /// <summary>Reads the <see cref="Columns"/> and the status that follows them, starting at column <paramref name="first"/>.</summary>
    internal static TrackedTask ReadRow(DbDataReader reader, SqlDialect dialect, int first)
    {
        var input = JsonColumn.Read(reader.GetString(first + 2)) as IReadOnlyDictionary<string, object?>;
        var options = JsonColumn.Read(reader.GetString(first + 3)) as IReadOnlyDictionary<string, object?>;
        var record = new TaskRecord
        {
            TaskId = reader.GetString(first + 0),
            TaskName = reader.GetString(first + 1),
            Args = input?.GetValueOrDefault("args") as IReadOnlyList<object?> ?? [],
            Kwargs = input?.GetValueOrDefault("kwargs") as IReadOnlyDictionary<string, object?> ?? new Dictionary<string, object?>(),
            Options = options ?? new Dictionary<string, object?>(),
            ParentId = reader.IsDBNull(first + 4) ? null : reader.GetString(first + 4),
            RootId = reader.GetString(first + 5),
            CreatorId = reader.IsDBNull(first + 6) ? null : reader.GetString(first + 6),
            RelatedContentTypeId = reader.IsDBNull(first + 7) ? null : reader.GetInt64(first + 7),
            RelatedObjectId = reader.IsDBNull(first + 8) ? null : reader.GetString(first + 8),
            Created = ReadCreated(reader, dialect, first + 9),
        };
        return new TrackedTask(record, reader.GetString(first + 10));
    }

    private object WriteCreated(DateTimeOffset created) => WriteCreated(_dialect, created);

    /// <summary>The parameter value of a <c>created</c> time: a timestamp on PostgreSQL, fixed-width UTC text on SQLite.</summary>
    internal static object WriteCreated(SqlDialect dialect, DateTimeOffset created)
    {
        var utc = created.ToUniversalTime();

        // SQLite has no timestamp type: a fixed-width UTC text sorts in time order.
        return dialect == SqlDialect.PostgreSql
            ? utc
            : utc.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'ffffff'Z'", CultureInfo.InvariantCulture);
    }

    internal static DateTimeOffset ReadCreated(DbDataReader reader, SqlDialect dialect, int ordinal) =>
        dialect == SqlDialect.PostgreSql
            ? reader.GetFieldValue<DateTimeOffset>(ordinal)
            : DateTimeOffset.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private async Task<bool> ResultTableExistsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // Celery creates its table on a worker's first result; until then every task is PENDING.
        if (_resultTableExists)
        {
            return true;
        }

        var exists = await TableExistsAsync(connection, _dialect, ResultTableName, cancellationToken).ConfigureAwait(false);
        _resultTableExists = exists;
        return exists;
    }

    /// <summary>Whether <paramref name="table"/> exists in the database of <paramref name="connection"/>.</summary>
    internal static async Task<bool> TableExistsAsync(DbConnection connection, SqlDialect dialect, string table, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText = dialect == SqlDialect.PostgreSql
            ? "SELECT to_regclass(@name) IS NOT NULL"
            : "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = @name";
        AddParameter(command, "@name", table);
        return Convert.ToBoolean(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = _createConnection();
        try
        {
            await SqlConnections.OpenAsync(connection, _dialect, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    internal static void AddParameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
