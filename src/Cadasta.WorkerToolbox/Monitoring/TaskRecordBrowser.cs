using System.Data.Common;
using System.Globalization;
using Cadasta.WorkerToolbox.Results;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>
/// Read-only queries over the monitor's records and Celery's result table for a dashboard: a filtered task list
/// paged by keyset, counts per state, finished tasks per minute, the tasks added after a known one, one task
/// with its result, a family with done times. Every value reaches the database as a parameter. Nothing is
/// created or changed: while the record table or <c>celery_taskmeta</c> does not exist, the answers are empty
/// (every task PENDING).
/// </summary>
public sealed class TaskRecordBrowser : IAsyncDisposable
{
    private const string Table = SqlTaskRecordStore.DefaultTableName;
    private const string ResultTable = SqlTaskRecordStore.ResultTableName;
    private const int MaxLimit = 1000;

    private readonly SqlDialect _dialect;
    private readonly Func<DbConnection> _createConnection;
    private readonly Func<string, CancellationToken, Task<TaskResult?>> _readResult;
    private readonly IAsyncDisposable? _owned;
    private readonly Action? _clearPool;
    private volatile bool _recordTableExists;
    private volatile bool _resultTableExists;
    private volatile string? _dateDoneType;

    internal TaskRecordBrowser(
        SqlDialect dialect,
        Func<DbConnection> createConnection,
        Func<string, CancellationToken, Task<TaskResult?>> readResult,
        IAsyncDisposable? owned = null,
        Action? clearPool = null)
    {
        ArgumentNullException.ThrowIfNull(createConnection);
        ArgumentNullException.ThrowIfNull(readResult);
        _dialect = dialect;
        _createConnection = createConnection;
        _readResult = readResult;
        _owned = owned;
        _clearPool = clearPool;
    }

    /// <summary>
    /// Opens the browser over Celery's result backend URL (<c>db+postgresql://...</c> or <c>db+sqlite:///...</c>).
    /// Nothing connects until first use; dispose it to close its connections.
    /// </summary>
    /// <param name="resultBackendUrl">Celery's <c>result_backend</c>.</param>
    /// <exception cref="FormatException">The URL is not a supported database URL (the message never holds the password).</exception>
    public static TaskRecordBrowser Create(string resultBackendUrl)
    {
        var url = ResultBackendUrl.Parse(resultBackendUrl);
        var results = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = resultBackendUrl });
        if (url.Kind == ResultBackendKind.PostgreSql)
        {
            var dataSource = NpgsqlDataSource.Create(url.ConnectionString);
            return new TaskRecordBrowser(
                SqlDialect.PostgreSql, dataSource.CreateConnection, results.ReadAsync, new Owned(dataSource, results), dataSource.Clear);
        }

        var connectionString = url.ConnectionString;
        return new TaskRecordBrowser(SqlDialect.Sqlite, () => new SqliteConnection(connectionString), results.ReadAsync, results);
    }

    /// <summary>One page of the task list, newest first (by record time, then record id).</summary>
    /// <param name="query">Filters, the cursor and the page size.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<TaskListPage> ListAsync(TaskListQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1, nameof(query));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, MaxLimit, nameof(query));
        return await WithConnectionAsync(
            async connection =>
            {
                var (recordsExist, joined) = await TablesAsync(connection, cancellationToken).ConfigureAwait(false);
                if (!recordsExist || (!joined && query.State is { } state && state != TaskStates.Pending))
                {
                    return new TaskListPage([], null);
                }

                var command = connection.CreateCommand();
                await using var commandScope = command.ConfigureAwait(false);
                var where = new List<string>();
                if (query.Name is { Length: > 0 } name)
                {
                    // On PostgreSQL the name index is in byte order (COLLATE "C"), so comparisons say so to use it;
                    // SQLite compares bytes anyway, and its LIKE would ignore case: a prefix is compared exactly there.
                    var type = _dialect == SqlDialect.PostgreSql ? "r.type COLLATE \"C\"" : "r.type";
                    if (name.EndsWith('*'))
                    {
                        if (_dialect == SqlDialect.PostgreSql)
                        {
                            where.Add(type + @" LIKE @name ESCAPE '\'");
                            SqlTaskRecordStore.AddParameter(command, "@name", EscapeLike(name[..^1]) + "%");
                        }
                        else
                        {
                            where.Add("substr(r.type, 1, length(@name)) = @name");
                            SqlTaskRecordStore.AddParameter(command, "@name", name[..^1]);
                        }
                    }
                    else
                    {
                        where.Add(type + " = @name");
                        SqlTaskRecordStore.AddParameter(command, "@name", name);
                    }
                }

                if (query.CreatorId is { Length: > 0 } creator)
                {
                    where.Add("r.creator_id = @creator");
                    SqlTaskRecordStore.AddParameter(command, "@creator", creator);
                }

                if (query.CreatedFrom is { } from)
                {
                    where.Add("r.created >= @from");
                    SqlTaskRecordStore.AddParameter(command, "@from", SqlTaskRecordStore.WriteCreated(_dialect, from));
                }

                if (query.CreatedTo is { } to)
                {
                    where.Add("r.created < @to");
                    SqlTaskRecordStore.AddParameter(command, "@to", SqlTaskRecordStore.WriteCreated(_dialect, to));
                }

                if (query.Before is { } before)
                {
                    // A row value comparison: both databases walk the (created, id) index backwards from here.
                    where.Add("(r.created, r.id) < (@before_created, @before_id)");
                    SqlTaskRecordStore.AddParameter(command, "@before_created", SqlTaskRecordStore.WriteCreated(_dialect, before.Created));
                    SqlTaskRecordStore.AddParameter(command, "@before_id", before.Id);
                }

                if (query.State is { Length: > 0 } wanted)
                {
                    // PENDING is "no row (or a PENDING row)"; as an anti-join the planner walks the (created, id) index and
                    // probes each task id, where "m.status IS NULL OR ..." made PostgreSQL hash-join both whole tables.
                    where.Add(wanted == TaskStates.Pending
                        ? $"NOT EXISTS (SELECT 1 FROM {ResultTable} p WHERE p.task_id = r.task_id AND p.status <> @state)"
                        : "m.status = @state");
                    SqlTaskRecordStore.AddParameter(command, "@state", wanted);
                }

                SqlTaskRecordStore.AddParameter(command, "@limit", (long)query.Limit + 1);
                command.CommandText = SelectSql(joined)
                    + (where.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", where))
                    + " ORDER BY r.created DESC, r.id DESC LIMIT @limit";
                var items = await ReadItemsAsync(command, cancellationToken).ConfigureAwait(false);
                if (items.Count <= query.Limit)
                {
                    return new TaskListPage(items, null);
                }

                items.RemoveAt(items.Count - 1);
                var last = items[^1];
                return new TaskListPage(items, new TaskListCursor(last.Task.Record.Created, last.Id));
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How many recorded tasks are in each state (PENDING: no row in <c>celery_taskmeta</c>).</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<IReadOnlyDictionary<string, long>> CountByStateAsync(CancellationToken cancellationToken = default) =>
        await WithConnectionAsync(
            async connection =>
            {
                var counts = new Dictionary<string, long>(StringComparer.Ordinal);
                var (recordsExist, joined) = await TablesAsync(connection, cancellationToken).ConfigureAwait(false);
                if (!recordsExist)
                {
                    return counts;
                }

                var command = connection.CreateCommand();
                await using var commandScope = command.ConfigureAwait(false);
                command.CommandText = joined
                    ? $"SELECT COALESCE(m.status, '{TaskStates.Pending}'), COUNT(*) FROM {Table} r LEFT JOIN {ResultTable} m ON m.task_id = r.task_id GROUP BY COALESCE(m.status, '{TaskStates.Pending}')"
                    : $"SELECT '{TaskStates.Pending}', COUNT(*) FROM {Table} r";
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using var readerScope = reader.ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var count = reader.GetInt64(1);
                    if (count > 0)
                    {
                        counts[reader.GetString(0)] = count;
                    }
                }

                return (IReadOnlyDictionary<string, long>)counts;
            },
            cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Tasks finished per minute since <paramref name="since"/>, from <c>celery_taskmeta</c> (every task of the
    /// result database, recorded by the monitor or not); minutes without a finished task are left out.
    /// </summary>
    /// <param name="since">The start of the period (UTC).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<IReadOnlyList<TaskActivityBucket>> GetActivityAsync(DateTimeOffset since, CancellationToken cancellationToken = default) =>
        await WithConnectionAsync(
            async connection =>
            {
                var (_, joined) = await TablesAsync(connection, cancellationToken).ConfigureAwait(false);
                if (!joined)
                {
                    return (IReadOnlyList<TaskActivityBucket>)[];
                }

                var command = connection.CreateCommand();
                await using var commandScope = command.ConfigureAwait(false);
                var utc = since.UtcDateTime;
                string minute;
                if (_dialect == SqlDialect.PostgreSql)
                {
                    minute = "date_trunc('minute', date_done)";

                    // Celery's table has a naive UTC timestamp, the platform's an absolute one: compare like with like.
                    var withTimeZone = (await DateDoneTypeAsync(connection, cancellationToken).ConfigureAwait(false)).Contains("with time zone", StringComparison.Ordinal);
                    command.Parameters.Add(new NpgsqlParameter("@since", withTimeZone ? utc : DateTime.SpecifyKind(utc, DateTimeKind.Unspecified)));
                }
                else
                {
                    minute = "substr(date_done, 1, 16)";
                    SqlTaskRecordStore.AddParameter(command, "@since", utc.ToString("yyyy'-'MM'-'dd HH':'mm':'ss'.'ffffff", CultureInfo.InvariantCulture));
                }

                command.CommandText =
                    $"SELECT {minute}, status, COUNT(*) FROM {ResultTable} WHERE date_done >= @since " +
                    $"AND status IN ('{TaskStates.Success}', '{TaskStates.Failure}', '{TaskStates.Revoked}') GROUP BY {minute}, status";
                var buckets = new SortedDictionary<DateTimeOffset, (long Succeeded, long Failed)>();
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using var readerScope = reader.ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var start = ReadUtc(reader.GetValue(0));
                    var count = reader.GetInt64(2);
                    var (succeeded, failed) = buckets.GetValueOrDefault(start);
                    buckets[start] = reader.GetString(1) == TaskStates.Success ? (succeeded + count, failed) : (succeeded, failed + count);
                }

                return (IReadOnlyList<TaskActivityBucket>)[.. buckets.Select(bucket => new TaskActivityBucket(bucket.Key, bucket.Value.Succeeded, bucket.Value.Failed))];
            },
            cancellationToken).ConfigureAwait(false);

    /// <summary>The tasks recorded after the record <paramref name="afterId"/>, oldest first, at most <paramref name="limit"/>.</summary>
    /// <param name="afterId">A record id (0: from the start).</param>
    /// <param name="limit">How many at most.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<IReadOnlyList<TaskListItem>> ListAddedAfterAsync(long afterId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxLimit);
        return await WithConnectionAsync(
            async connection =>
            {
                var (recordsExist, joined) = await TablesAsync(connection, cancellationToken).ConfigureAwait(false);
                if (!recordsExist)
                {
                    return (IReadOnlyList<TaskListItem>)[];
                }

                var command = connection.CreateCommand();
                await using var commandScope = command.ConfigureAwait(false);
                command.CommandText = SelectSql(joined) + " WHERE r.id > @after ORDER BY r.id LIMIT @limit";
                SqlTaskRecordStore.AddParameter(command, "@after", afterId);
                SqlTaskRecordStore.AddParameter(command, "@limit", (long)limit);
                return (IReadOnlyList<TaskListItem>)await ReadItemsAsync(command, cancellationToken).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The id of the newest record; 0 when there is none.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<long> GetLastIdAsync(CancellationToken cancellationToken = default) =>
        await WithConnectionAsync(
            async connection =>
            {
                var (recordsExist, _) = await TablesAsync(connection, cancellationToken).ConfigureAwait(false);
                if (!recordsExist)
                {
                    return 0L;
                }

                var command = connection.CreateCommand();
                await using var commandScope = command.ConfigureAwait(false);
                command.CommandText = $"SELECT COALESCE(MAX(id), 0) FROM {Table}";
                return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            },
            cancellationToken).ConfigureAwait(false);

    /// <summary>One recorded task with its result row; null when the id was never recorded.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<TaskDetails?> GetTaskAsync(string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        var found = await FindAsync("r.task_id = @key", taskId, cancellationToken).ConfigureAwait(false);
        if (found.Count == 0)
        {
            return null;
        }

        // A PENDING task has no result row; not asking spares creating Celery's table where it does not exist yet.
        var item = found[0];
        var result = item.Task.Status == TaskStates.Pending ? null : await _readResult(taskId, cancellationToken).ConfigureAwait(false);
        return new TaskDetails(item, result);
    }

    /// <summary>
    /// Every recorded task with the root id <paramref name="rootId"/>, oldest first, with the family's overall
    /// status and overall results as <see cref="TaskRecordQueries.GetFamilyAsync"/> computes them.
    /// </summary>
    /// <param name="rootId">The family's root id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<TaskFamilyDetails> GetFamilyAsync(string rootId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootId);
        var items = await FindAsync("r.root_id = @key", rootId, cancellationToken).ConfigureAwait(false);
        var results = new List<object?>();
        foreach (var item in items.Where(item => item.Task.Record.IsResult))
        {
            results.Add(item.Task.Status == TaskStates.Pending
                ? null
                : TaskRecordQueries.PlatformValue(await _readResult(item.Task.Record.TaskId, cancellationToken).ConfigureAwait(false)));
        }

        return new TaskFamilyDetails(new TaskFamily(rootId, [.. items.Select(item => item.Task)], results), items);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _owned?.DisposeAsync() ?? ValueTask.CompletedTask;

    internal static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);

    private async Task<List<TaskListItem>> FindAsync(string condition, string key, CancellationToken cancellationToken) =>
        await WithConnectionAsync(
            async connection =>
            {
                var (recordsExist, joined) = await TablesAsync(connection, cancellationToken).ConfigureAwait(false);
                if (!recordsExist)
                {
                    return [];
                }

                var command = connection.CreateCommand();
                await using var commandScope = command.ConfigureAwait(false);
                command.CommandText = SelectSql(joined) + " WHERE " + condition + " ORDER BY r.created, r.id";
                SqlTaskRecordStore.AddParameter(command, "@key", key);
                return await ReadItemsAsync(command, cancellationToken).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);

    private static string SelectSql(bool joined)
    {
        var columns = "r.id, r." + SqlTaskRecordStore.Columns.Replace(", ", ", r.", StringComparison.Ordinal);
        return joined
            ? $"SELECT {columns}, COALESCE(m.status, '{TaskStates.Pending}'), m.date_done FROM {Table} r LEFT JOIN {ResultTable} m ON m.task_id = r.task_id"
            : $"SELECT {columns}, '{TaskStates.Pending}', NULL FROM {Table} r";
    }

    private async Task<List<TaskListItem>> ReadItemsAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var items = new List<TaskListItem>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var task = SqlTaskRecordStore.ReadRow(reader, _dialect, 1);
            DateTimeOffset? done = reader.IsDBNull(12) ? null : ReadUtc(reader.GetValue(12));
            items.Add(new TaskListItem(reader.GetInt64(0), task, done));
        }

        return items;
    }

    /// <summary>A date_done value as UTC: naive timestamps and SQLAlchemy's SQLite text are UTC by Celery's convention.</summary>
    internal static DateTimeOffset ReadUtc(object value) => value switch
    {
        DateTime moment => new DateTimeOffset(DateTime.SpecifyKind(moment.Kind == DateTimeKind.Local ? moment.ToUniversalTime() : moment, DateTimeKind.Utc)),
        DateTimeOffset moment => moment.ToUniversalTime(),
        string text => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
        _ => throw new FormatException($"Unexpected time value of type {value.GetType()}."),
    };

    private async Task<T> WithConnectionAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        var connection = _createConnection();
        await using var connectionScope = connection.ConfigureAwait(false);
        try
        {
            await SqlConnections.OpenAsync(connection, _dialect, cancellationToken).ConfigureAwait(false);
            return await work(connection).ConfigureAwait(false);
        }
        catch (DbException e) when (e.IsTransient)
        {
            // After a server restart every idle pooled connection is dead: the next call connects afresh.
            _clearPool?.Invoke();
            throw;
        }
    }

    private async Task<(bool Records, bool Results)> TablesAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // Once there, a table stays: only its absence is asked again.
        if (!_recordTableExists)
        {
            _recordTableExists = await SqlTaskRecordStore.TableExistsAsync(connection, _dialect, Table, cancellationToken).ConfigureAwait(false);
        }

        if (!_resultTableExists)
        {
            _resultTableExists = await SqlTaskRecordStore.TableExistsAsync(connection, _dialect, ResultTable, cancellationToken).ConfigureAwait(false);
        }

        return (_recordTableExists, _resultTableExists);
    }

    private async Task<string> DateDoneTypeAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (_dateDoneType is { } known)
        {
            return known;
        }

        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText = "SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = to_regclass(@name) AND a.attname = 'date_done'";
        SqlTaskRecordStore.AddParameter(command, "@name", ResultTable);
        var type = Convert.ToString(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) ?? string.Empty;
        _dateDoneType = type;
        return type;
    }

    /// <summary>The connection pool and the result store, disposed together.</summary>
    private sealed class Owned(IAsyncDisposable first, IAsyncDisposable second) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await first.DisposeAsync().ConfigureAwait(false);
            await second.DisposeAsync().ConfigureAwait(false);
        }
    }
}
