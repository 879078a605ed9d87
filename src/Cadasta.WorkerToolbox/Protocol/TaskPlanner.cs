using System.Globalization;
using Cadasta.WorkerToolbox.Python;
using Cadasta.WorkerToolbox.Routing;

namespace Cadasta.WorkerToolbox.Protocol;

/// <summary>
/// Turns a signature (task, chain, group, chord) into the ordered list of messages Celery 5.2
/// would publish for <c>apply_async</c>, so a producer only has to publish them in order.
/// Pure: time comes from the <see cref="TimeProvider"/>, ids from the id generator.
/// </summary>
public sealed class TaskPlanner
{
    /// <summary>The task Celery sends to join a chord when the result backend has no native chords (database backend).</summary>
    public const string ChordUnlockTask = "celery.chord_unlock";

    // Options Celery consumes itself; every other option becomes a message property.
    private static readonly HashSet<string> ConsumedOptions = new(StringComparer.Ordinal)
    {
        "task_id", "countdown", "eta", "expires", "retries", "time_limit", "soft_time_limit", "priority",
        "ignore_result", "shadow", "link", "link_error", "group_id", "group_index", "chord", "chain", "root_id",
        "parent_id", "reply_to", "queue", "routing_key", "exchange", "exchange_type", "serializer", "compression",
        "delivery_mode", "headers", "retry", "retry_policy", "declare", "mandatory", "immediate", "add_to_parent",
        "route_name", "argsrepr", "kwargsrepr", "interval", "max_retries",
    };

    private readonly TimeProvider _timeProvider;
    private readonly ProducerIdentity _identity;
    private readonly ITaskRouter? _router;
    private readonly Func<string> _newTaskId;

    /// <summary>Creates a planner.</summary>
    /// <param name="timeProvider">The clock for countdowns and expiry.</param>
    /// <param name="identity">The producer's <c>origin</c> and <c>reply_to</c>.</param>
    /// <param name="router">Routes task names (null: routes come from options only).</param>
    /// <param name="newTaskId">Makes task ids (default: lower-case UUID4 text, as Celery).</param>
    public TaskPlanner(TimeProvider timeProvider, ProducerIdentity identity, ITaskRouter? router = null, Func<string>? newTaskId = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(identity);
        _timeProvider = timeProvider;
        _identity = identity;
        _router = router;
        _newTaskId = newTaskId ?? (() => Guid.NewGuid().ToString("D"));
    }

    /// <summary>
    /// The messages to publish for <paramref name="signature"/>, in Celery 5.2's order: a task or
    /// chain is one message; a group one per member; a chord the <c>celery.chord_unlock</c>
    /// message first, then one per header task.
    /// </summary>
    /// <param name="signature">What to send.</param>
    /// <param name="lineage">The running task this is sent from, if any.</param>
    /// <exception cref="NotSupportedException">A composite nested in a chain, group or chord header (not planned yet).</exception>
    /// <exception cref="TaskEncodingException">A value cannot be written as Celery's JSON.</exception>
    public IReadOnlyList<PlannedMessage> Plan(Signature signature, TaskLineage? lineage = null)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var output = new List<PlannedMessage>();
        var now = _timeProvider.GetUtcNow();
        switch (signature.SubtaskType)
        {
            case Signature.ChainType:
                PlanChain(output, signature, lineage, now);
                break;
            case Signature.GroupType:
                PlanGroup(output, signature, lineage, now);
                break;
            case Signature.ChordType:
                PlanChord(output, signature, lineage, now);
                break;
            default:
                output.Add(PlanTask(signature, lineage, now));
                break;
        }

        return output;
    }

    private void PlanChain(List<PlannedMessage> output, Signature chain, TaskLineage? lineage, DateTimeOffset now)
    {
        var tasks = chain.Tasks;
        if (tasks.Count == 0)
        {
            throw new ArgumentException("A chain needs at least one task.", nameof(chain));
        }

        RequirePlain(tasks, "chain");
        var chainOptions = Signature.Copy(chain.Options);
        var lastId = chainOptions.Remove("task_id", out var given) ? given as string : null;

        // Celery freezes from the last task to the first; the chain's id is the last task's.
        var frozen = new Signature[tasks.Count];
        for (var i = tasks.Count - 1; i >= 0; i--)
        {
            frozen[i] = Freeze(tasks[i], i == tasks.Count - 1 ? lastId : null);
        }

        var rest = new List<object?>();
        for (var i = tasks.Count - 1; i >= 1; i--)
        {
            rest.Add(frozen[i]);
        }

        var first = Merge(frozen[0], chainOptions);
        first = first.WithOption("chain", rest);
        output.Add(PlanTask(first, lineage, now));
    }

    private void PlanGroup(List<PlannedMessage> output, Signature group, TaskLineage? lineage, DateTimeOffset now)
    {
        RequirePlain(group.Tasks, "group");
        var options = Signature.Copy(group.Options);
        var groupId = options.Remove("task_id", out var given) && given is string id ? id : _newTaskId();
        options["group_id"] = groupId;
        foreach (var member in group.Tasks)
        {
            output.Add(PlanTask(Merge(member, options), lineage, now));
        }
    }

    private void PlanChord(List<PlannedMessage> output, Signature chord, TaskLineage? lineage, DateTimeOffset now)
    {
        var header = chord.ChordHeader;
        var body = chord.ChordBody ?? throw new ArgumentException("A chord needs a body.", nameof(chord));
        RequirePlain(header, "chord header");
        RequirePlain([body], "chord body");
        var options = Signature.Copy(chord.Options);
        var chordId = options.Remove("task_id", out var given) ? given as string : null;
        options.Remove("interval", out var interval);
        options.Remove("max_retries", out var maxRetries);
        var countdown = options.Remove("countdown", out var unlockCountdown) ? unlockCountdown : 1L;
        options.Remove("link", out _);
        options.Remove("link_error", out _);

        if (header.Count == 0)
        {
            // Nothing would ever trigger the body: Celery sends it at once with an empty result list.
            output.Add(PlanTask(Merge(body, options).WithPartialArgs([new List<object?>()]), lineage, now));
            return;
        }

        var groupId = _newTaskId();
        var frozenBody = Freeze(Merge(body, options), chordId);
        var headerMessages = new List<Signature>(header.Count);
        var results = new List<object?>(header.Count);
        for (var i = 0; i < header.Count; i++)
        {
            var member = header[i];
            var memberOptions = Signature.Copy(member.Options);
            if (!memberOptions.TryGetValue("task_id", out var memberId))
            {
                memberId = _newTaskId();
                memberOptions["task_id"] = memberId;
            }

            memberOptions["group_id"] = groupId;
            memberOptions["chord"] = frozenBody;
            memberOptions["group_index"] = (long)i;
            headerMessages.Add(member.With(options: memberOptions));
            results.Add(new PythonTuple([new PythonTuple([memberId, null]), null]));
        }

        var unlockOptions = new OrderedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["countdown"] = countdown,
            ["priority"] = frozenBody.Options.GetValueOrDefault("priority") ?? 0L,
            ["ignore_result"] = true,
        };
        if (frozenBody.Options.GetValueOrDefault("queue") is string queue)
        {
            unlockOptions["queue"] = queue;
        }

        var unlock = Signature.Create(
            ChordUnlockTask,
            [groupId, frozenBody],
            new OrderedDictionary<string, object?> { ["interval"] = interval, ["max_retries"] = maxRetries, ["result"] = results })
            .With(options: unlockOptions);
        output.Add(PlanTask(unlock, lineage, now));
        foreach (var member in headerMessages)
        {
            output.Add(PlanTask(member, lineage, now));
        }
    }

    private PlannedMessage PlanTask(Signature signature, TaskLineage? lineage, DateTimeOffset now)
    {
        var options = signature.Options;
        var id = options.GetValueOrDefault("task_id") as string ?? _newTaskId();

        DateTimeOffset? eta = null;
        var countdown = Seconds(options.GetValueOrDefault("countdown"), "countdown");
        if (countdown is { } seconds && seconds != 0)
        {
            eta = now + FromSeconds(seconds);
        }
        else
        {
            eta = Timestamp(options.GetValueOrDefault("eta"), "eta");
        }

        DateTimeOffset? expires = null;
        string? expiration = null;
        var expiresOption = options.GetValueOrDefault("expires");
        if (expiresOption is not null)
        {
            double expiresSeconds;
            if (Seconds(expiresOption, "expires") is { } relative)
            {
                expires = now + FromSeconds(relative);
                expiresSeconds = relative;
            }
            else
            {
                expires = Timestamp(expiresOption, "expires");
                expiresSeconds = (expires!.Value - now).TotalSeconds;
            }

            // Celery ≥5.2 also sets the broker TTL: str(int(seconds * 1000)), never negative.
            expiration = ((long)Math.Max(0, expiresSeconds * 1000)).ToString(CultureInfo.InvariantCulture);
        }

        var custom = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in options)
        {
            if (!ConsumedOptions.Contains(key))
            {
                custom[key] = value;
            }
        }

        var message = new TaskMessage
        {
            Task = signature.Task,
            Id = id,
            Args = signature.Args,
            Kwargs = signature.Kwargs,
            Shadow = options.GetValueOrDefault("shadow") as string,
            Eta = eta,
            Expires = expires,
            GroupId = options.GetValueOrDefault("group_id") as string,
            GroupIndex = Integer(options.GetValueOrDefault("group_index"), "group_index"),
            Retries = Integer(options.GetValueOrDefault("retries"), "retries") ?? 0,
            TimeLimit = Seconds(options.GetValueOrDefault("time_limit"), "time_limit"),
            SoftTimeLimit = Seconds(options.GetValueOrDefault("soft_time_limit"), "soft_time_limit"),
            RootId = options.GetValueOrDefault("root_id") as string ?? lineage?.RootId ?? id,
            ParentId = options.GetValueOrDefault("parent_id") as string ?? lineage?.ParentId,
            Origin = _identity.Origin,
            IgnoreResult = options.GetValueOrDefault("ignore_result") as bool? ?? false,
            Callbacks = SignatureList(options, "link"),
            Errbacks = SignatureList(options, "link_error"),
            Chain = SignatureList(options, "chain"),
            Chord = options.GetValueOrDefault("chord") is { } chord ? Signature.From(chord, "chord") : null,
            CorrelationId = id,
            ReplyTo = options.GetValueOrDefault("reply_to") as string ?? _identity.ReplyTo,
            Priority = Integer(options.GetValueOrDefault("priority"), "priority") ?? 0,
            Expiration = expiration,
            CustomProperties = custom,
        };

        return new PlannedMessage(message, TaskMessageCodec.Encode(message), Route(signature.Task, options),
            options.GetValueOrDefault("queue") as string);
    }

    private TaskRoute? Route(string task, IReadOnlyDictionary<string, object?> options)
    {
        var route = _router?.Route(task);
        var exchange = options.GetValueOrDefault("exchange") as string ?? route?.Exchange;
        var routingKey = options.GetValueOrDefault("routing_key") as string ?? route?.RoutingKey;
        return exchange is null && routingKey is null ? null : new TaskRoute(exchange ?? string.Empty, routingKey ?? string.Empty);
    }

    // Celery's Signature.freeze: keep an existing task_id, else the given one or a new one; add reply_to.
    private Signature Freeze(Signature signature, string? taskId)
    {
        var options = Signature.Copy(signature.Options);
        if (!options.ContainsKey("task_id"))
        {
            options["task_id"] = taskId ?? _newTaskId();
        }

        if (!options.ContainsKey("reply_to"))
        {
            options["reply_to"] = _identity.ReplyTo;
        }

        return signature.With(options: options);
    }

    // apply_async options given to a composite win over the member's own (dict(self.options, **options)).
    private static Signature Merge(Signature signature, OrderedDictionary<string, object?> overrides)
    {
        if (overrides.Count == 0)
        {
            return signature;
        }

        var options = Signature.Copy(signature.Options);
        foreach (var (key, value) in overrides)
        {
            options[key] = value;
        }

        return signature.With(options: options);
    }

    private static void RequirePlain(IEnumerable<Signature> signatures, string where)
    {
        foreach (var signature in signatures)
        {
            if (signature.SubtaskType is Signature.ChainType or Signature.GroupType or Signature.ChordType)
            {
                throw new NotSupportedException(
                    $"A {signature.SubtaskType} inside a {where} is not supported by the planner yet; only plain task signatures can be members.");
            }
        }
    }

    private static List<Signature>? SignatureList(IReadOnlyDictionary<string, object?> options, string key) =>
        options.GetValueOrDefault(key) is { } value ? Signature.ReadList(value, key).ToList() : null;

    private static TimeSpan FromSeconds(double seconds) =>
        TimeSpan.FromTicks((long)Math.Round(seconds * 1_000_000, MidpointRounding.ToEven) * 10);

    private static double? Seconds(object? value, string name) => value switch
    {
        null => null,
        long l => l,
        int i => i,
        double d when double.IsFinite(d) => d,
        TimeSpan t => t.TotalSeconds,
        _ when name is "expires" or "eta" => null,
        _ => throw new ArgumentException($"Option '{name}' must be a number of seconds; got {value.GetType().Name}."),
    };

    private static long? Integer(object? value, string name) => value switch
    {
        null => null,
        long l => l,
        int i => i,
        _ => throw new ArgumentException($"Option '{name}' must be an integer; got {value.GetType().Name}."),
    };

    private static DateTimeOffset? Timestamp(object? value, string name) => value switch
    {
        null => null,
        DateTimeOffset d => d,
        DateTime d when d.Kind == DateTimeKind.Unspecified => new DateTimeOffset(d, TimeSpan.Zero),
        DateTime d => new DateTimeOffset(d),
        string s when CeleryTimestamp.TryParse(s, out var parsed, out _) => parsed,
        _ => throw new ArgumentException($"Option '{name}' must be a date-time or an ISO 8601 string; got '{value}'."),
    };
}
