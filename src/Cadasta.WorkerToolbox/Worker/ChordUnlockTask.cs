using System.Reflection;
using Cadasta.WorkerToolbox.Python;
using Cadasta.WorkerToolbox.Results;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// Celery's built-in <c>celery.chord_unlock</c> (<c>app/builtins.py unlock_chord</c>) for result
/// stores without native chords: poll the header tasks' results; not all ready → retry after
/// <c>interval</c> (bounded by <c>CHORD_UNLOCK_MAX_RETRIES</c>); all ready → send the body with the
/// list of header results; a failed header → the body fails with <c>ChordError</c> and its
/// errbacks are sent. So a chord started by Python is completed here, and ours by Python.
/// </summary>
internal sealed class ChordUnlockTask
{
    public const string Name = "celery.chord_unlock";

    private readonly IResultBackend _results;
    private readonly TaskExecutor _executor;
    private readonly TimeSpan _interval;

    public ChordUnlockTask(IResultBackend results, TaskExecutor executor, WorkerOptions options)
    {
        _results = results;
        _executor = executor;
        _interval = options.ChordUnlockInterval;
        var method = typeof(ChordUnlockTask).GetMethod(nameof(UnlockAsync), BindingFlags.Instance | BindingFlags.NonPublic)!;
        Definition = new TaskDefinition(Name, method, () => this, new TaskSettings
        {
            IgnoreResult = true,
            MaxRetries = options.ChordUnlockMaxRetries,
            DefaultRetryDelay = options.ChordUnlockInterval,
        });
    }

    public TaskDefinition Definition { get; }

    private async Task UnlockAsync(
        TaskContext context,
        string groupId,
        IReadOnlyDictionary<string, object?> callback,
        double? interval = null,
        long? maxRetries = null,
        IReadOnlyList<object?>? result = null,
        [Kwargs] IReadOnlyDictionary<string, object?>? kwargs = null,
        CancellationToken cancellationToken = default)
    {
        _ = groupId;
        _ = kwargs;
        var wait = interval is { } seconds ? TimeSpan.FromSeconds(seconds) : _interval;
        var headerIds = (result ?? []).Select(HeaderId).ToList();
        var outcomes = new List<(string Id, StoredState Stored)>(headerIds.Count);
        foreach (var id in headerIds)
        {
            var stored = await _results.GetAsync(id, cancellationToken).ConfigureAwait(false);
            if (!TaskStates.IsReady(stored.State))
            {
                throw context.Retry(countdown: wait, maxRetries: maxRetries is { } max ? (int)max : null);
            }

            outcomes.Add((id, stored));
        }

        var bodyId = Signatures.Options(callback).GetValueOrDefault("task_id") as string;
        var failed = outcomes.FirstOrDefault(o => o.Stored.State != TaskStates.Success);
        if (failed.Id is not null)
        {
            var error = CeleryErrors.ChordError($"Dependency {failed.Id} raised {ExceptionRepr(failed.Stored.Error)}");
            var errbacks = Signatures.SignatureList(Signatures.Options(callback).GetValueOrDefault("link_error"));
            if (bodyId is not null)
            {
                await _executor.SendErrbacksAsync(errbacks, bodyId, context.RootId).ConfigureAwait(false);
                var info = ExceptionMapper.Map(error);
                await _results.StoreAsync(bodyId, TaskStates.Failure, null, info, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var values = outcomes.Select(o => o.Stored.Value).ToList();
        await SendBodyAsync(context, callback, values, cancellationToken).ConfigureAwait(false);
    }

    private static Task<string> SendBodyAsync(TaskContext context, IReadOnlyDictionary<string, object?> callback, List<object?> values, CancellationToken cancellationToken) =>
        context.SendAsync(callback, [values], cancellationToken);

    /// <summary>The id in <c>AsyncResult.as_tuple()</c> form <c>[[id, parent], null]</c> (or a bare id).</summary>
    private static string HeaderId(object? entry) => entry switch
    {
        string id => id,
        IReadOnlyList<object?> { Count: > 0 } tuple when tuple[0] is IReadOnlyList<object?> { Count: > 0 } inner && inner[0] is string id => id,
        IReadOnlyList<object?> { Count: > 0 } tuple when tuple[0] is string id => id,
        _ => throw new PythonException("ValueError", $"Not a result tuple: {PythonRepr.Repr(entry)}"),
    };

    /// <summary>Python's <c>repr</c> of the exception a stored exception rebuilds to: <c>ValueError('boom')</c>.</summary>
    private static string ExceptionRepr(ExceptionInfo? error) =>
        error is null ? "None" : $"{error.Type}({string.Join(", ", error.Arguments.Select(value => PythonRepr.Repr(value)))})";
}
