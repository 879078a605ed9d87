using System.Text;
using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.Routing;
using Cadasta.WorkerToolbox.Transports;
using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// The worker's door: decides, for every delivery, whether it becomes a job or is settled at once
/// as a bad message. Celery 5.2's consumer acknowledges what it cannot decode and drops unknown
/// messages, unknown tasks (with a FAILURE row) and invalid tasks; here every bad message ends in
/// exactly one of two ways, with exactly one log line (what, queue, ids, why; never the body):
/// <list type="bullet">
/// <item>its task id can be read: FAILURE stored under that id (<c>NotRegistered</c>, <c>ContentDisallowed</c>
/// or <c>InvalidTaskError</c>, so the platform sees it), then acknowledged;</item>
/// <item>otherwise (or the FAILURE cannot be stored): moved to the dead-letter queue with the reason, then acknowledged.</item>
/// </list>
/// In order: the redelivery limit (before anything is read, so a message that crashes the worker
/// is caught however it does), the size limit, the nesting limit (both before decoding, so a huge
/// or deep body is never built into a tree), decoding (JSON only: pickle is refused unread),
/// then the task registry.
/// </summary>
internal sealed partial class MessageAdmission
{
    private const int MaxLoggedLength = 200;

    private readonly TaskRegistry _registry;
    private readonly ITaskDecoder _decoder;
    private readonly IResultBackend _results;
    private readonly ITransport _transport;
    private readonly WorkerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly RedeliveryGuard _redeliveries;
    private readonly DeadLetterQueue _deadLetters;

    public MessageAdmission(TaskRegistry registry, ITaskDecoder decoder, IResultBackend results, ITransport transport, WorkerOptions options, TimeProvider time, ILogger logger)
    {
        _registry = registry;
        _decoder = decoder;
        _results = results;
        _transport = transport;
        _options = options;
        _logger = logger;
        _time = time;
        _redeliveries = new RedeliveryGuard(options.MaxDeliveries);
        _deadLetters = new DeadLetterQueue(transport, options.DeadLetterQueue, time);
    }

    /// <summary>
    /// Declares the dead-letter queues of the consumed queues (nothing when dead-lettering is off). A failure
    /// stops the start when <see cref="WorkerOptions.ThrowOnSetupFailure"/> is set, and is logged otherwise.
    /// </summary>
    public async Task DeclareAsync(IReadOnlyList<string> queues, Topology? topology, CancellationToken cancellationToken)
    {
        try
        {
            await _deadLetters.DeclareAsync(queues, topology, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            LogDeclareFailed(_logger, error, error.Message);
            if (_options.ThrowOnSetupFailure)
            {
                throw new InvalidOperationException($"Declaring the dead-letter queues failed: {error.Message}", error);
            }
        }
    }

    /// <summary>The job to run, or null when the delivery was settled here (bad, or published again with its count).</summary>
    public async Task<WorkerJob?> AdmitAsync(Delivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var message = delivery.Message;
        var taskId = HeaderText(message, "id");
        var taskName = HeaderText(message, "task");
        var identity = taskId ?? delivery.BrokerMessageId ?? (message.Properties.GetValueOrDefault("message_id") as string);

        // A task whose ETA is still ahead has never run, so it cannot be what killed a worker: it comes back
        // after every restart while workers hold it, and must not reach MAX_DELIVERIES that way.
        var verdict = WaitsForEta(message) ? RedeliveryVerdict.Run : _redeliveries.Judge(delivery, identity);
        if (verdict.Action == RedeliveryAction.DeadLetter)
        {
            // Not a FAILURE row: the task may well be fine and be running elsewhere; an operator decides.
            await DeadLetterAsync(delivery, taskId, taskName, "TooManyDeliveries",
                $"delivered {verdict.Deliveries} times without being settled (MAX_DELIVERIES is {_options.MaxDeliveries})", overLimit: true).ConfigureAwait(false);
            return null;
        }

        if (verdict.Action == RedeliveryAction.Republish && await RepublishAsync(delivery, verdict.Deliveries, taskId, taskName).ConfigureAwait(false))
        {
            return null;
        }

        if (message.Body.Length > _options.MaxMessageBytes)
        {
            await RefuseAsync(delivery, taskId, taskName, "MessageTooLarge",
                $"the body has {message.Body.Length} bytes, more than MAX_MESSAGE_BYTES ({_options.MaxMessageBytes})", InvalidTask).ConfigureAwait(false);
            return null;
        }

        if (IsJson(message) && JsonNestingScanner.FindExcess(message.Body.Span, _options.MaxJsonDepth) is var at and >= 0)
        {
            await RefuseAsync(delivery, taskId, taskName, "NestingTooDeep",
                $"the body nests arrays and objects deeper than MAX_JSON_DEPTH ({_options.MaxJsonDepth}), first at byte {at}", InvalidTask).ConfigureAwait(false);
            return null;
        }

        TaskInvocation task;
        try
        {
            task = _decoder.Decode(message);
        }
#pragma warning disable CA1031 // Whatever the codec throws, the message is not a task: settle it as bad, keep consuming.
        catch (Exception error)
#pragma warning restore CA1031
        {
            var invalid = error as InvalidTaskMessageException;
            Func<string, PythonException> exception = invalid?.IsContentRefused == true ? ContentDisallowed : InvalidTask;
            await RefuseAsync(delivery, taskId, taskName, invalid?.Code.ToString() ?? error.GetType().Name, error.Message, exception).ConfigureAwait(false);
            return null;
        }

        var definition = _registry.Find(task.Name);
        if (definition is null)
        {
            await RefuseAsync(delivery, task.Id, task.Name, "NotRegistered", "no task of this name is registered in this worker",
                _ => CeleryErrors.NotRegistered(task.Name)).ConfigureAwait(false);
            return null;
        }

        return new WorkerJob(delivery, task, definition, () => _redeliveries.NoteOwnReturn(identity));
    }

    private static PythonException InvalidTask(string reason) => new("InvalidTaskError", "celery.exceptions", [reason]);

    private static PythonException ContentDisallowed(string reason) => new("ContentDisallowed", "kombu.exceptions", [reason]);

    private static bool IsJson(TransportMessage message) =>
        string.Equals((message.ContentType ?? string.Empty).Trim(), TaskMessageCodec.JsonContentType, StringComparison.OrdinalIgnoreCase);

    private bool WaitsForEta(TransportMessage message) =>
        HeaderText(message, "eta") is { } eta && CeleryTimestamp.TryParse(eta, out var due, out _) && due > _time.GetUtcNow();

    private static string? HeaderText(TransportMessage message, string name) =>
        message.Headers?.GetValueOrDefault(name) is string { Length: > 0 } text ? text : null;

    /// <summary>FAILURE under the task id when there is one (then acknowledged); else, or when that fails, the dead-letter queue.</summary>
    private async Task RefuseAsync(Delivery delivery, string? taskId, string? taskName, string code, string reason, Func<string, PythonException> exception)
    {
        var why = reason;
        if (taskId is not null)
        {
            try
            {
                await _results.StoreAsync(taskId, TaskStates.Failure, null, ExceptionMapper.Map(exception(reason)), CancellationToken.None).ConfigureAwait(false);
                await SettleAsync(delivery, ack: true).ConfigureAwait(false);
                LogRefused(_logger, delivery.Queue, Printable(taskName), Printable(taskId), Printable(delivery.BrokerMessageId), code, Printable(reason.TrimEnd('.')), "FAILURE stored under the task id, acknowledged");
                return;
            }
#pragma warning disable CA1031 // The result store may be down: the message then goes to the dead-letter queue.
            catch (Exception storeError)
#pragma warning restore CA1031
            {
                why = $"{reason} (its FAILURE could not be stored: {storeError.GetType().Name})";
            }
        }

        await DeadLetterAsync(delivery, taskId, taskName, code, why, overLimit: false).ConfigureAwait(false);
    }

    private async Task DeadLetterAsync(Delivery delivery, string? taskId, string? taskName, string code, string reason, bool overLimit)
    {
        string outcome;
        if (!_deadLetters.IsEnabled)
        {
            await SettleAsync(delivery, ack: true).ConfigureAwait(false);
            outcome = "dropped (acknowledged): DEAD_LETTER_QUEUE is None";
        }
        else
        {
            try
            {
                var queue = await _deadLetters.PublishAsync(delivery, code, reason, CancellationToken.None).ConfigureAwait(false);
                await SettleAsync(delivery, ack: true).ConfigureAwait(false);
                outcome = $"moved to the dead-letter queue '{queue}', acknowledged";
            }
#pragma warning disable CA1031 // The broker refused the copy: never lose the message silently.
            catch (Exception error)
#pragma warning restore CA1031
            {
                if (overLimit)
                {
                    // Returning it would only start the count again: the limit ends it here.
                    await SettleAsync(delivery, ack: true).ConfigureAwait(false);
                    outcome = $"could not be dead-lettered ({error.GetType().Name}: {Printable(error.Message)}); dropped (acknowledged)";
                }
                else
                {
                    // Returned uncounted by the guard: if this keeps failing, MAX_DELIVERIES ends it.
                    await SettleAsync(delivery, ack: false).ConfigureAwait(false);
                    outcome = $"could not be dead-lettered ({error.GetType().Name}: {Printable(error.Message)}); returned to its queue";
                }
            }
        }

        LogRefused(_logger, delivery.Queue, Printable(taskName), Printable(taskId), Printable(delivery.BrokerMessageId), code, Printable(reason.TrimEnd('.')), outcome);
    }

    private async Task<bool> RepublishAsync(Delivery delivery, int deliveries, string? taskId, string? taskName)
    {
        try
        {
            await _transport.PublishAsync(string.Empty, delivery.Queue, RedeliveryGuard.WithDeliveries(delivery.Message, deliveries), CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Counting is a safeguard: when the copy cannot be published, run the original.
        catch (Exception error)
#pragma warning restore CA1031
        {
            LogRepublishFailed(_logger, error, delivery.Queue, Printable(taskName), Printable(taskId));
            return false;
        }

        await SettleAsync(delivery, ack: true).ConfigureAwait(false);
        LogRepublished(_logger, delivery.Queue, Printable(taskName), Printable(taskId), deliveries, _options.MaxDeliveries);
        return true;
    }

    private async Task SettleAsync(Delivery delivery, bool ack)
    {
        try
        {
            if (ack)
            {
                await delivery.AckAsync(CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await delivery.RejectAsync(requeue: true, CancellationToken.None).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // A lost connection returns the message by itself; the receive loop must go on.
        catch (Exception error)
#pragma warning restore CA1031
        {
            LogSettleFailed(_logger, error, delivery.Queue);
        }
    }

    /// <summary>A value from the message made safe for one log line: control characters escaped, length bounded.</summary>
    internal static string Printable(string? text)
    {
        if (text is null)
        {
            return "-";
        }

        var builder = new StringBuilder(Math.Min(text.Length, MaxLoggedLength) + 8);
        foreach (var c in text)
        {
            if (builder.Length >= MaxLoggedLength)
            {
                builder.Append("...");
                break;
            }

            if (char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029')
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Refused a message from queue {Queue} (task {TaskName}[{TaskId}], broker message {MessageId}): {Code}: {Reason}. {Outcome}")]
    private static partial void LogRefused(ILogger logger, string queue, string taskName, string taskId, string messageId, string code, string reason, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message from queue {Queue} (task {TaskName}[{TaskId}]) was redelivered without being settled: published again to the tail of the queue as delivery {Deliveries} of at most {MaxDeliveries}")]
    private static partial void LogRepublished(ILogger logger, string queue, string taskName, string taskId, int deliveries, int maxDeliveries);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish the redelivered message from queue {Queue} (task {TaskName}[{TaskId}]) again with its delivery count: running it as it is")]
    private static partial void LogRepublishFailed(ILogger logger, Exception error, string queue, string taskName, string taskId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Declaring the dead-letter queues failed: {Reason}")]
    private static partial void LogDeclareFailed(ILogger logger, Exception error, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not settle a refused message from queue {Queue}: the broker returns it by itself")]
    private static partial void LogSettleFailed(ILogger logger, Exception error, string queue);
}
