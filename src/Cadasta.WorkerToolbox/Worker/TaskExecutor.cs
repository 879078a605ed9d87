using Cadasta.WorkerToolbox.Results;
using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// Runs one task the way Celery's tracer does (<c>app/trace.py</c>), top to bottom:
/// expired? → early ack → STARTED → bind and run under the time limits → outcome:
/// success (callbacks, chain successor, SUCCESS), retry (re-send, RETRY), failure
/// (FAILURE, errbacks) → late ack.
/// <para>
/// Only the part up to the end of the body holds a runner slot (<c>bodyDone</c> marks it): the STARTED
/// write is issued before the body and not awaited, and the outcome's writes, follow-ups and late ack run
/// after the slot is free (<see cref="OutcomePipeline"/>). A task's writes still reach the store in order,
/// STARTED before its outcome: when the store keeps the order of writes itself
/// (<see cref="IResultBackend.KeepsWriteOrder"/>) the outcome is queued right behind STARTED (and the store may
/// then write only the outcome, if both are waiting in one batch); otherwise the outcome write waits for the
/// STARTED write to complete. So a late STARTED never overwrites the outcome.
/// </para>
/// </summary>
internal sealed partial class TaskExecutor(
    IResultBackend results,
    ITaskSender sender,
    WorkerOptions options,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>Celery's <c>Task.resultrepr_maxsize</c>: how much of a return value the success line shows.</summary>
    private const int ResultReprMaxLength = 1024;

    /// <summary>Raised after a task failed and before its FAILURE is stored (Celery's <c>task_failure</c>).</summary>
    public event EventHandler<TaskFailureEventArgs>? TaskFailed;

    /// <summary>Runs the task to the end (outcome stored, message settled).</summary>
    /// <param name="job">The task.</param>
    /// <param name="bodyDone">Completed when the task's body has ended (what remains needs no runner slot).</param>
    /// <param name="abandon">Cancelled when shutdown gives up on running tasks.</param>
    public async Task ExecuteAsync(WorkerJob job, TaskCompletionSource? bodyDone, CancellationToken abandon)
    {
        // The span covers the whole execution; the task's own code sees it as Activity.Current.
        using var activity = WorkerTelemetry.StartExecute(job.Task.Name, job.Task.Id, job.Delivery.Message.Headers);
        await ExecuteTracedAsync(job, bodyDone, abandon).ConfigureAwait(false);
    }

    private async Task ExecuteTracedAsync(WorkerJob job, TaskCompletionSource? bodyDone, CancellationToken abandon)
    {
        var task = job.Task;
        var definition = job.Definition;
        if (IsExpired(task))
        {
            await RevokeExpiredAsync(job, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        WorkerTelemetry.RecordQueueLatency(task.Name, task.Eta, job.Delivery, time.GetUtcNow());
        var acksLate = definition.Settings.AcksLate ?? options.AcksLate;
        // Either the task (Celery's task attribute) or the message (header, Celery 5.1+) can ask for it.
        var ignoreResult = definition.Settings.IgnoreResult || task.IgnoreResult == true;
        if (!acksLate)
        {
            await job.AckAsync(CancellationToken.None).ConfigureAwait(false);
        }

        // Issued now, not awaited: the body does not wait for the STARTED commit (see the class comment).
        var started = options.TrackStarted && !ignoreResult
            ? StoreAsync(job, TaskStates.Started, new Dictionary<string, object?> { ["pid"] = (long)Environment.ProcessId, ["hostname"] = options.Hostname }, null)
            : Task.FromResult(true);

        var context = new TaskContext(task, definition.Settings, sender, options.Hostname, DeliveryInfo(job));
        LogReceived(logger, task.Name, task.Id);
        WorkerTelemetry.Received.Add(1, WorkerTelemetry.TaskTag(task.Name));
        var runStarted = time.GetTimestamp();
        var outcome = await RunAsync(job, context, abandon).ConfigureAwait(false);
        var runtime = time.GetElapsedTime(runStarted);
        WorkerTelemetry.RunTime.Record(runtime.TotalSeconds, WorkerTelemetry.TaskTag(task.Name));
        if (outcome is not Outcome.Retried)
        {
            bodyDone?.TrySetResult();
        }

        if (!results.KeepsWriteOrder)
        {
            // The store may reorder concurrent writes: the outcome goes only after STARTED completed.
            await started.ConfigureAwait(false);
        }

        if (job.Returned)
        {
            await started.ConfigureAwait(false);
            return;
        }

        var stored = outcome switch
        {
            Outcome.Succeeded success => await SucceedAsync(job, context, success.Value, runtime, ignoreResult).ConfigureAwait(false),
            Outcome.Retried retry => await RetryAsync(job, retry.Request).ConfigureAwait(false),
            Outcome.Failed failure => await FailAsync(job, context, failure.Error, ignoreResult).ConfigureAwait(false),
            _ => false,
        };

        // A retry keeps its runner until RETRY is stored, as before pipelining: the re-sent message (same task
        // id) cannot start on that runner and have its STARTED or outcome overwritten by this attempt's RETRY.
        bodyDone?.TrySetResult();

        if (outcome is Outcome.Abandoned)
        {
            // Shutdown cancelled the task before it finished: the consumer's disposal gives the message back.
            job.MarkReturned();
        }
        else if (acksLate && !stored)
        {
            // At-least-once: a message whose outcome is not stored goes back for another try.
            await job.RejectAsync(requeue: true, CancellationToken.None).ConfigureAwait(false);
        }
        else if (acksLate && outcome is Outcome.Failed && !options.AcksOnFailureOrTimeout)
        {
            // task_acks_on_failure_or_timeout off: a failed message is dropped, not acknowledged (dead-lettered where configured).
            await job.RejectAsync(requeue: false, CancellationToken.None).ConfigureAwait(false);
        }
        else if (acksLate)
        {
            await job.AckAsync(CancellationToken.None).ConfigureAwait(false);
        }

        // Done only once every write of this task completed (a graceful stop waits for them).
        await started.ConfigureAwait(false);
    }

    public bool IsExpired(TaskInvocation task) => task.Expires is { } expires && expires <= time.GetUtcNow();

    /// <summary>An expired task is not run: REVOKED with <c>TaskRevokedError('expired')</c>, acknowledged.</summary>
    public async Task RevokeExpiredAsync(WorkerJob job, CancellationToken cancellationToken)
    {
        LogExpired(logger, job.Task.Name, job.Task.Id);
        var error = ExceptionMapper.Map(CeleryErrors.Expired());
        await StoreAsync(job, TaskStates.Revoked, null, error).ConfigureAwait(false);
        await job.AckAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<Outcome> RunAsync(WorkerJob job, TaskContext context, CancellationToken abandon)
    {
        var task = job.Task;
        var soft = task.SoftTimeLimit ?? job.Definition.Settings.SoftTimeLimit ?? options.SoftTimeLimit;
        var hard = task.HardTimeLimit ?? job.Definition.Settings.TimeLimit ?? options.TimeLimit;
        // Token sources only for the limits a task has (most have none): three fewer allocations per task.
        using var softLimit = soft is { } softSpan ? new CancellationTokenSource(softSpan, time) : null;
        // The task's token must also fire at the hard limit: a linked source whenever there is a limit.
        using var linked = softLimit is null && hard is null ? null : CancellationTokenSource.CreateLinkedTokenSource(abandon, softLimit?.Token ?? CancellationToken.None);
        var token = linked?.Token ?? abandon;
        // The hard limit's clock starts before the task does.
        using var stopDeadline = hard is null ? null : new CancellationTokenSource();
        var deadline = hard is { } limit ? Task.Delay(limit, time, stopDeadline!.Token) : null;
        var running = Task.Run(() => job.Definition.InvokeAsync(context, token), CancellationToken.None);
        if (deadline is not null)
        {
            if (await Task.WhenAny(running, deadline).ConfigureAwait(false) != running)
            {
                LogHardLimit(logger, hard!.Value.TotalSeconds, task.Name, task.Id);
                await linked!.CancelAsync().ConfigureAwait(false);

                _ = running.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                return new Outcome.Failed(CeleryErrors.TimeLimitExceeded(hard.Value));
            }

            await stopDeadline!.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            return new Outcome.Succeeded(await running.ConfigureAwait(false));
        }
        catch (TaskRetryException retry)
        {
            return new Outcome.Retried(retry);
        }
        catch (OperationCanceledException) when (abandon.IsCancellationRequested)
        {
            return new Outcome.Abandoned();
        }
        catch (OperationCanceledException) when (softLimit?.IsCancellationRequested == true)
        {
            return new Outcome.Failed(CeleryErrors.SoftTimeLimitExceeded());
        }
#pragma warning disable CA1031 // A task may fail with any exception: it becomes the stored FAILURE.
        catch (Exception error)
#pragma warning restore CA1031
        {
            return new Outcome.Failed(error);
        }
    }

    private async Task<bool> SucceedAsync(WorkerJob job, TaskContext context, object? value, TimeSpan runtime, bool ignoreResult)
    {
        var task = job.Task;
        var rootId = context.RootId;
        try
        {
            await SendCallbacksAsync(context.PendingCallbacks, value, task.Id, rootId).ConfigureAwait(false);
            if (task.Chain is { Count: > 0 } chain)
            {
                var next = chain[^1];
                var rest = chain.Take(chain.Count - 1).ToList();
                await sender.SendSignatureAsync(next, new FollowupSend(task.Id, rootId, [value], rest), CancellationToken.None).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // A follow-up that cannot be sent fails the task, as in Celery's tracer.
        catch (Exception error)
#pragma warning restore CA1031
        {
            LogFollowupFailed(logger, error, task.Name, task.Id);
            return await FailAsync(job, context, error, ignoreResult).ConfigureAwait(false);
        }

        if (logger.IsEnabled(LogLevel.Information))
        {
            // Celery's LOG_SUCCESS: the run time as Python prints a float, the value as saferepr(R, 1024).
            var seconds = Python.PythonFloat.Repr(runtime.TotalSeconds);
            var returnValue = Protocol.CelerySafeRepr.SafeRepr(value, ResultReprMaxLength);
            LogSucceeded(logger, task.Name, task.Id, seconds, returnValue);
        }

        WorkerTelemetry.Succeeded.Add(1, WorkerTelemetry.TaskTag(task.Name));

        return ignoreResult || await StoreAsync(job, TaskStates.Success, value, null).ConfigureAwait(false);
    }

    private void NotifyFailed(TaskInvocation task, Exception error, ExceptionInfo info)
    {
        try
        {
            TaskFailed?.Invoke(this, new TaskFailureEventArgs(task.Name, task.Id, task.Args, task.Kwargs, error, info.Traceback));
        }
#pragma warning disable CA1031 // A failing observer (an error reporter) must not change the task's outcome.
        catch (Exception observerError)
#pragma warning restore CA1031
        {
            LogObserverFailed(logger, observerError, task.Name, task.Id);
        }
    }

    private async Task SendCallbacksAsync(IReadOnlyList<IReadOnlyDictionary<string, object?>>? callbacks, object? value, string id, string rootId)
    {
        if (callbacks is not { Count: > 0 })
        {
            return;
        }

        var send = new FollowupSend(id, rootId, [value]);
        if (callbacks.Count == 1)
        {
            await sender.SendSignatureAsync(callbacks[0], send, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        // Several callbacks: groups go on their own, the plain tasks together as one group (trace.py).
        foreach (var group in callbacks.Where(Signatures.IsGroup))
        {
            await sender.SendSignatureAsync(group, send, CancellationToken.None).ConfigureAwait(false);
        }

        var plain = callbacks.Where(c => !Signatures.IsGroup(c)).ToList();
        if (plain.Count > 0)
        {
            await sender.SendSignatureAsync(Signatures.Group(plain), send, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task<bool> RetryAsync(WorkerJob job, TaskRetryException retry)
    {
        var task = job.Task;
        var eta = retry.Eta ?? (retry.Countdown > TimeSpan.Zero ? time.GetUtcNow() + retry.Countdown : null);
        var again = task with
        {
            Retries = task.Retries + 1,
            Eta = eta,
            ParentId = task.ParentId ?? task.Id,
            RootId = task.RootId ?? task.Id,

            // Custom properties (creator_id, is_result) are not carried over by Celery's retry.
            Properties = new Dictionary<string, object?>(),
        };
        try
        {
            await sender.SendMessageAsync(again, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Celery turns a failed re-send into Reject(requeue=False).
        catch (Exception error)
#pragma warning restore CA1031
        {
            LogRetrySendFailed(logger, error, task.Name, task.Id);
            await job.RejectAsync(requeue: false, CancellationToken.None).ConfigureAwait(false);
            return false;
        }

        LogRetry(logger, task.Name, task.Id, retry.Message);
        WorkerTelemetry.Retried.Add(1, WorkerTelemetry.TaskTag(task.Name));
        // Celery stores the exception given to retry(), or nothing (mark_as_retry(id, reason.exc)).
        var cause = retry.InnerException is null ? null : ExceptionMapper.Map(retry.InnerException);
        var ignoreResult = job.Definition.Settings.IgnoreResult || task.IgnoreResult == true;
        return ignoreResult || await StoreAsync(job, TaskStates.Retry, null, cause).ConfigureAwait(false);
    }

    private async Task<bool> FailAsync(WorkerJob job, TaskContext context, Exception error, bool ignoreResult)
    {
        var task = job.Task;
        var info = ExceptionMapper.Map(error);
        WorkerTelemetry.Failed.Add(1, WorkerTelemetry.TaskTag(task.Name));
        WorkerTelemetry.MarkFailed(info.Summary);
        NotifyFailed(task, error, info);
        if (logger.IsEnabled(LogLevel.Error))
        {
            // Celery's LOG_FAILURE shows safe_repr(exc): ValueError('boom'), not the traceback's last line.
            var exceptionRepr = $"{info.Type}({string.Join(", ", info.Arguments.Select(argument => Python.PythonRepr.Repr(argument)))})";
            LogFailed(logger, error, task.Name, task.Id, exceptionRepr);
        }

        var stored = ignoreResult || await StoreAsync(job, TaskStates.Failure, null, info).ConfigureAwait(false);
        await SendErrbacksAsync(task.Errbacks, task.Id, context.RootId).ConfigureAwait(false);
        return stored;
    }

    /// <summary>Errbacks are sent as one group with the failed task's id as argument (backends/base.py).</summary>
    internal async Task SendErrbacksAsync(IReadOnlyList<IReadOnlyDictionary<string, object?>>? errbacks, string failedId, string rootId)
    {
        if (errbacks is not { Count: > 0 })
        {
            return;
        }

        try
        {
            await sender.SendSignatureAsync(Signatures.Group(errbacks), new FollowupSend(failedId, rootId, [failedId]), CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The failure is stored already; an errback that cannot be sent is logged.
        catch (Exception sendError)
#pragma warning restore CA1031
        {
            LogFollowupFailed(logger, sendError, "errbacks of", failedId);
        }
    }

    private async Task<bool> StoreAsync(WorkerJob job, string state, object? value, ExceptionInfo? error)
    {
        if (job.Returned)
        {
            return false;
        }

        try
        {
            await results.StoreAsync(job.Task.Id, state, value, error, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
#pragma warning disable CA1031 // A store failure must not kill the worker; with late acks the message is requeued.
        catch (Exception storeError)
#pragma warning restore CA1031
        {
            LogStoreFailed(logger, storeError, state, job.Task.Name, job.Task.Id);
            return false;
        }
    }

    private static Dictionary<string, object?> DeliveryInfo(WorkerJob job) => new()
    {
        ["exchange"] = job.Delivery.Exchange,
        ["routing_key"] = job.Delivery.RoutingKey,
        ["queue"] = job.Delivery.Queue,
        ["redelivered"] = job.Delivery.Redelivered,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {Name}[{Id}] received")]
    private static partial void LogReceived(ILogger logger, string name, string id);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {Name}[{Id}] succeeded in {Runtime}s: {ReturnValue}")]
    private static partial void LogSucceeded(ILogger logger, string name, string id, string runtime, string returnValue);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {Name}[{Id}] retry: {Reason}")]
    private static partial void LogRetry(ILogger logger, string name, string id, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {Name}[{Id}] raised unexpected: {Exception}")]
    private static partial void LogFailed(ILogger logger, Exception error, string name, string id, string exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "A task failure handler failed for {Name}[{Id}]")]
    private static partial void LogObserverFailed(ILogger logger, Exception error, string name, string id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {Name}[{Id}] expired before it ran: revoked")]
    private static partial void LogExpired(ILogger logger, string name, string id);

    [LoggerMessage(Level = LogLevel.Error, Message = "Hard time limit ({Seconds}s) exceeded for {Name}[{Id}]")]
    private static partial void LogHardLimit(ILogger logger, double seconds, string name, string id);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not send the follow-ups of {Name}[{Id}]")]
    private static partial void LogFollowupFailed(ILogger logger, Exception error, string name, string id);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not send the retry of {Name}[{Id}]: message rejected")]
    private static partial void LogRetrySendFailed(ILogger logger, Exception error, string name, string id);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store state {State} of {Name}[{Id}]")]
    private static partial void LogStoreFailed(ILogger logger, Exception error, string state, string name, string id);

    private abstract record Outcome
    {
        public sealed record Succeeded(object? Value) : Outcome;

        public sealed record Retried(TaskRetryException Request) : Outcome;

        public sealed record Failed(Exception Error) : Outcome;

        public sealed record Abandoned : Outcome;
    }
}
