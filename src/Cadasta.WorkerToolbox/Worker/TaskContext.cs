using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Python;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// The running task's request (Celery's <c>self.request</c>) and what a task can do about
/// itself: retry, take over its follow-ups, send further tasks. Declare a parameter of this
/// type to receive it; it takes no argument from the message.
/// </summary>
public sealed class TaskContext
{
    private readonly TaskInvocation _message;
    private readonly TaskSettings _options;
    private readonly ITaskSender _sender;
    private IReadOnlyList<IReadOnlyDictionary<string, object?>>? _callbacks;

    internal TaskContext(TaskInvocation message, TaskSettings options, ITaskSender sender, string hostname, IReadOnlyDictionary<string, object?> deliveryInfo)
    {
        _message = message;
        _options = options;
        _sender = sender;
        Hostname = hostname;
        DeliveryInfo = deliveryInfo;
        _callbacks = message.Callbacks;
    }

    /// <summary>The task id.</summary>
    public string Id => _message.Id;

    /// <summary>The registered task name, for example <c>msg.add</c>.</summary>
    public string TaskName => _message.Name;

    /// <summary>The id of the first task of this workflow (this task's id when it has no parent).</summary>
    public string RootId => _message.RootId ?? _message.Id;

    /// <summary>The id of the task that sent this one, or null.</summary>
    public string? ParentId => _message.ParentId;

    /// <summary>The id of the group (or chord header) this task belongs to, or null.</summary>
    public string? GroupId => _message.Group;

    /// <summary>How often this task was retried before (0 on the first run).</summary>
    public int Retries => _message.Retries;

    /// <summary>When the task was due to run, or null.</summary>
    public DateTimeOffset? Eta => _message.Eta;

    /// <summary>When the task expires, or null.</summary>
    public DateTimeOffset? Expires => _message.Expires;

    /// <summary>The positional arguments as received.</summary>
    public IReadOnlyList<object?> Args => _message.Args;

    /// <summary>The keyword arguments as received.</summary>
    public IReadOnlyDictionary<string, object?> Kwargs => _message.Kwargs;

    /// <summary>The success callbacks (<c>link</c>) sent when the task succeeds; null after <see cref="ExtractFollowups"/>.</summary>
    public IReadOnlyList<Signature>? Callbacks => ToSignatures(_callbacks);

    /// <summary>The error callbacks (<c>link_error</c>) sent with <c>[task_id]</c> when the task fails.</summary>
    public IReadOnlyList<Signature>? Errbacks => ToSignatures(_message.Errbacks);

    /// <summary>The chord body this task is a header part of, or null.</summary>
    public Signature? Chord => _message.Chord is null ? null : Signature.FromDictionary(_message.Chord);

    /// <summary>Where the message came from: <c>exchange</c>, <c>routing_key</c>, <c>queue</c>, <c>redelivered</c>.</summary>
    public IReadOnlyDictionary<string, object?> DeliveryInfo { get; }

    /// <summary>The custom message properties (<c>is_result</c>, <c>creator_id</c>...).</summary>
    public IReadOnlyDictionary<string, object?> Properties => _message.Properties;

    /// <summary>The worker's node name, for example <c>celery@host</c>.</summary>
    public string Hostname { get; }

    internal TaskInvocation Message => _message;

    /// <summary>The callbacks still to send on success, as the message carried them.</summary>
    internal IReadOnlyList<IReadOnlyDictionary<string, object?>>? PendingCallbacks => _callbacks;

    /// <summary>
    /// Asks for a retry, with Celery's semantics: <c>throw context.Retry(...)</c>. Returns the
    /// retry request, or, once <c>retries + 1</c> exceeds the maximum, <paramref name="exception"/>
    /// (or a <c>MaxRetriesExceededError</c>) so that the task fails.
    /// </summary>
    /// <param name="countdown">Run the retry this long from now (default: the task's <see cref="TaskSettings.DefaultRetryDelay"/>).</param>
    /// <param name="maxRetries">Overrides the task's <see cref="TaskSettings.MaxRetries"/>.</param>
    /// <param name="exception">The cause: stored with the RETRY state, and the failure once retries are exhausted.</param>
    /// <param name="eta">Run the retry at this moment instead of after a countdown.</param>
    public Exception Retry(TimeSpan? countdown = null, int? maxRetries = null, Exception? exception = null, DateTimeOffset? eta = null)
    {
        var retries = Retries + 1;
        var max = maxRetries ?? _options.MaxRetries;
        if (max is not null && retries > max)
        {
            return exception ?? CeleryErrors.MaxRetriesExceeded(
                $"Can't retry {TaskName}[{Id}] args:{PythonRepr.Repr(new PythonTuple(Args))} kwargs:{PythonRepr.Repr(Kwargs)}");
        }

        var delay = countdown ?? (eta is null ? _options.DefaultRetryDelay : TimeSpan.Zero);
        return new TaskRetryException(delay, exception) { Eta = eta };
    }

    /// <summary>
    /// Takes this task's callbacks over (the toolbox's <c>extract_followups</c>): they are no
    /// longer sent when this task succeeds, and are returned so a later task can carry them.
    /// Errbacks stay (they still fire when this task fails) and are returned as well.
    /// </summary>
    public TaskFollowups ExtractFollowups()
    {
        var followups = new TaskFollowups(Callbacks, Errbacks);
        _callbacks = null;
        return followups;
    }

    /// <summary>
    /// Sends a signature (task, chain, group or chord) with this task as parent, and
    /// <paramref name="args"/> put before its own unless it is immutable, as Celery's
    /// <c>signature.apply_async(args)</c>. Returns the id of the task that carries its result.
    /// </summary>
    /// <param name="signature">What to send.</param>
    /// <param name="args">Arguments to prepend, or null.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    public Task<string> SendAsync(Signature signature, IReadOnlyList<object?>? args = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return _sender.SendSignatureAsync(signature.ToDictionary(), new FollowupSend(Id, RootId, args), cancellationToken);
    }

    /// <summary>Sends a signature dict from inside the worker (chord_unlock's body).</summary>
    internal Task<string> SendAsync(IReadOnlyDictionary<string, object?> signature, IReadOnlyList<object?>? args, CancellationToken cancellationToken) =>
        _sender.SendSignatureAsync(signature, new FollowupSend(Id, RootId, args), cancellationToken);

    private static List<Signature>? ToSignatures(IReadOnlyList<IReadOnlyDictionary<string, object?>>? dicts) =>
        dicts?.Select(Signature.FromDictionary).ToList();
}
