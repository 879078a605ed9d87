using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cadasta.WorkerToolbox.Results;

/// <summary>
/// Celery's database result backend (<c>celery_taskmeta</c>) on PostgreSQL or SQLite, readable and writable by
/// Python Celery 5.2 and the Cadasta platform. Concurrent <see cref="StoreAsync"/> calls are written in batches,
/// each batch one transaction; every call returns only after its row committed. Writes of one task id commit in the
/// order the calls were made, even when the earlier call has not returned yet; when one batch holds several writes of
/// the same task id, only the last is written (the others complete with it). Dispose it to flush what is queued.
/// </summary>
public sealed class DatabaseResultStore : IResultStore
{
    private readonly IResultDatabase database;
    private readonly ResultWriteCoalescer coalescer;
    private readonly ResultStoreOptions options;
    private readonly ILogger logger;
    private readonly TimeProvider timeProvider;
    private int extendedWarningLogged;
    private int disposed;

    /// <summary>Creates a store for <see cref="ResultStoreOptions.BackendUrl"/>; connects on first use.</summary>
    /// <param name="options">URL, batching and retry settings.</param>
    /// <param name="logger">Receives retries and failures (never the password).</param>
    /// <param name="timeProvider">Clock for date_done and retry delays; the system clock when null.</param>
    public DatabaseResultStore(ResultStoreOptions options, ILogger<DatabaseResultStore>? logger = null, TimeProvider? timeProvider = null)
        : this(CreateDatabase(options), options, logger ?? (ILogger)NullLogger.Instance, timeProvider ?? TimeProvider.System)
    {
    }

    internal static DatabaseResultStore Create(ResultStoreOptions options, ILogger logger, TimeProvider timeProvider) =>
        new(CreateDatabase(options), options, logger, timeProvider);

    internal DatabaseResultStore(IResultDatabase database, ResultStoreOptions options, ILogger logger, TimeProvider timeProvider)
    {
        this.database = database;
        this.options = options;
        this.logger = logger;
        this.timeProvider = timeProvider;
        coalescer = new ResultWriteCoalescer(database, options, logger, timeProvider);
    }

    /// <summary>The backend URL without its password, safe to print.</summary>
    public string Endpoint => database.Endpoint;

    internal ResultWriteCoalescer Coalescer => coalescer;

    /// <inheritdoc />
    public async Task StoreAsync(TaskResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        var row = Encode(result, options.ResultExtended);
        await coalescer.WriteAsync(row, cancellationToken).ConfigureAwait(false);
        WarnOnceIfExtendedColumnsMissing();
    }

    /// <inheritdoc />
    public async Task<TaskResult?> ReadAsync(string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        const int maxAttempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var row = await database.ReadAsync(taskId, cancellationToken).ConfigureAwait(false);
                return row is null ? null : Decode(row);
            }
            catch (Exception exception) when (database.IsTransient(exception) && attempt < maxAttempts && !cancellationToken.IsCancellationRequested)
            {
                var delay = options.DelayBeforeAttempt(attempt);
                ResultStoreLog.ReadRetrying(logger, database.Endpoint, exception.Message, delay, attempt + 1, maxAttempts);
                await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (database.IsTransient(exception))
            {
                throw new ResultStoreException($"Could not read the result of task {taskId} from {database.Endpoint}: {exception.Message}", exception);
            }
        }
    }

    /// <inheritdoc />
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken = default)
    {
        await database.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        WarnOnceIfExtendedColumnsMissing();
    }

    /// <summary>Writes every result already accepted, then closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await coalescer.DisposeAsync().ConfigureAwait(false);
        await database.DisposeAsync().ConfigureAwait(false);
    }

    internal static ResultRow Encode(TaskResult result, bool extended)
    {
        ArgumentException.ThrowIfNullOrEmpty(result.TaskId);
        ArgumentException.ThrowIfNullOrEmpty(result.State);
        byte[]? pickle;
        if (TaskStates.IsException(result.State))
        {
            pickle = result.Error is null ? (result.Value is null ? null : ResultPickle.Dumps(result.Value)) : ResultPickle.DumpsError(result.Error);
        }
        else
        {
            pickle = ResultPickle.Dumps(result.Value);
        }

        var columns = extended
            ? new ExtendedColumns(
                result.Name,
                result.Args is null ? null : JsonBytes(result.Args),
                result.Kwargs is null ? null : JsonBytes(result.Kwargs),
                result.Worker,
                result.Retries,
                result.Queue)
            : null;
        return new ResultRow(result.TaskId, result.State, pickle, result.Traceback, columns);
    }

    internal static TaskResult Decode(StoredRow row)
    {
        var value = row.Result is null ? null : ResultPickle.Loads(row.Result);
        TaskError? error = null;
        if (TaskStates.IsException(row.Status))
        {
            error = ResultPickle.ErrorFromValue(value);
            if (error is not null)
            {
                value = null;
            }
        }

        var extended = row.Extended;
        return new TaskResult
        {
            TaskId = row.TaskId,
            State = row.Status,
            Value = value,
            Error = error,
            Traceback = row.Traceback,
            DateDone = row.DateDoneUtc is { } done ? new DateTimeOffset(DateTime.SpecifyKind(done, DateTimeKind.Utc)) : null,
            Name = extended?.Name,
            Args = extended?.Args is { } args ? JsonValue(args) as IReadOnlyList<object?> : null,
            Kwargs = extended?.Kwargs is { } kwargs ? JsonValue(kwargs) as IReadOnlyDictionary<string, object?> : null,
            Worker = extended?.Worker,
            Retries = extended?.Retries,
            Queue = extended?.Queue,
        };
    }

    private static IResultDatabase CreateDatabase(ResultStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var url = ResultBackendUrl.Parse(options.BackendUrl);
        return url.Kind == ResultBackendKind.PostgreSql
            ? new PostgresResultDatabase(url, options.ResultExtended)
            : new SqliteResultDatabase(url, options.ResultExtended);
    }

    // args/kwargs columns hold the result serializer's bytes (JSON by default), as Celery's encode() makes them.
    private static byte[] JsonBytes(object value) => Encoding.UTF8.GetBytes(JsonLikeJson.Serialize(value));

    private static object? JsonValue(byte[] json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return JsonLikeJson.FromElement(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private void WarnOnceIfExtendedColumnsMissing()
    {
        var missing = database switch
        {
            PostgresResultDatabase postgres => postgres.ExtendedColumnsMissing,
            SqliteResultDatabase sqlite => sqlite.ExtendedColumnsMissing,
            _ => false,
        };
        if (missing && Interlocked.Exchange(ref extendedWarningLogged, 1) == 0)
        {
            ResultStoreLog.ExtendedColumnsMissing(logger, database.Endpoint);
        }
    }
}
