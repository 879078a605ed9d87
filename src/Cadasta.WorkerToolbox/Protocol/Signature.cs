using Cadasta.WorkerToolbox.Python;

namespace Cadasta.WorkerToolbox.Protocol;

/// <summary>
/// A task call that can be sent later, as Celery's <c>Signature</c>: a task name, partial
/// arguments, and <c>apply_async</c> options. Immutable: every <c>With…</c>/<c>Link…</c> method
/// returns a new signature. Serialised exactly like Celery's signature dict
/// (<c>task, args, kwargs, options, subtask_type, immutable</c>). Chains, groups and chords are
/// signatures too (<c>celery.chain</c>, <c>celery.group</c>, <c>celery.chord</c>); turn any of
/// them into messages with <see cref="TaskPlanner"/>.
/// </summary>
public sealed class Signature
{
    /// <summary>The <c>subtask_type</c> of a chain.</summary>
    public const string ChainType = "chain";

    /// <summary>The <c>subtask_type</c> of a group.</summary>
    public const string GroupType = "group";

    /// <summary>The <c>subtask_type</c> of a chord.</summary>
    public const string ChordType = "chord";

    private Signature(string task, IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?> kwargs,
        IReadOnlyDictionary<string, object?> options, bool immutable, string? subtaskType)
    {
        Task = task;
        Args = args;
        Kwargs = kwargs;
        Options = options;
        Immutable = immutable;
        SubtaskType = subtaskType;
    }

    /// <summary>The task name, e.g. <c>export.project</c> (<c>celery.chain</c> etc. for composites).</summary>
    public string Task { get; }

    /// <summary>Positional arguments (a parent's result is prepended unless <see cref="Immutable"/>).</summary>
    public IReadOnlyList<object?> Args { get; }

    /// <summary>Keyword arguments.</summary>
    public IReadOnlyDictionary<string, object?> Kwargs { get; }

    /// <summary>
    /// The <c>apply_async</c> options in Celery's names (<c>task_id</c>, <c>countdown</c>,
    /// <c>link</c>, <c>queue</c>, custom keys such as <c>is_result</c>...), in insertion order.
    /// </summary>
    public IReadOnlyDictionary<string, object?> Options { get; }

    /// <summary>True for Celery's <c>.si()</c>: the parent's result is not prepended to the args.</summary>
    public bool Immutable { get; }

    /// <summary><c>null</c> for a task; <c>chain</c>, <c>group</c>, <c>chord</c> for composites (others are kept as read).</summary>
    public string? SubtaskType { get; }

    /// <summary>The members of a chain (in run order) or group; empty for other signatures.</summary>
    public IReadOnlyList<Signature> Tasks =>
        SubtaskType is ChainType or GroupType && Kwargs.TryGetValue("tasks", out var tasks) ? ReadList(tasks, "tasks") : [];

    /// <summary>The header tasks of a chord; empty for other signatures.</summary>
    public IReadOnlyList<Signature> ChordHeader =>
        SubtaskType == ChordType && Kwargs.TryGetValue("header", out var header) ? ReadList(header, "header") : [];

    /// <summary>The body of a chord; null for other signatures.</summary>
    public Signature? ChordBody =>
        SubtaskType == ChordType && Kwargs.TryGetValue("body", out var body) ? From(body, "body") : null;

    /// <summary>A task signature, as Celery's <c>task.s(*args, **kwargs)</c>.</summary>
    /// <param name="task">The task name.</param>
    /// <param name="args">Positional arguments (JSON-like values).</param>
    /// <param name="kwargs">Keyword arguments (JSON-like values).</param>
    public static Signature Create(string task, IEnumerable<object?>? args = null, IEnumerable<KeyValuePair<string, object?>>? kwargs = null) =>
        Build(task, args, kwargs, immutable: false);

    /// <summary>An immutable task signature, as Celery's <c>task.si(*args, **kwargs)</c>.</summary>
    /// <param name="task">The task name.</param>
    /// <param name="args">Positional arguments (JSON-like values).</param>
    /// <param name="kwargs">Keyword arguments (JSON-like values).</param>
    public static Signature CreateImmutable(string task, IEnumerable<object?>? args = null, IEnumerable<KeyValuePair<string, object?>>? kwargs = null) =>
        Build(task, args, kwargs, immutable: true);

    /// <summary>A chain: each task runs after the previous one succeeded and receives its result (unless immutable).</summary>
    /// <param name="tasks">The tasks, in run order.</param>
    public static Signature Chain(params IEnumerable<Signature> tasks) => Composite("celery.chain", ChainType, tasks);

    /// <summary>A group: the tasks run in parallel.</summary>
    /// <param name="tasks">The tasks.</param>
    public static Signature Group(params IEnumerable<Signature> tasks) => Composite("celery.group", GroupType, tasks);

    /// <summary>A chord: the header tasks run in parallel, then the body receives the list of their results.</summary>
    /// <param name="header">The header tasks.</param>
    /// <param name="body">The callback.</param>
    public static Signature Chord(IEnumerable<Signature> header, Signature body)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(body);
        var kwargs = new OrderedDictionary<string, object?>
        {
            ["kwargs"] = new OrderedDictionary<string, object?>(),
            ["header"] = header.Select(h => (object?)h).ToList(),
            ["body"] = body,
        };
        return new Signature("celery.chord", [], kwargs, new OrderedDictionary<string, object?>(), false, ChordType);
    }

    /// <summary>Reads a serialised signature dict (as found in <c>link</c>, <c>chain</c>, <c>chord</c>).</summary>
    /// <param name="dictionary">The dict.</param>
    /// <exception cref="FormatException">The dict is not a signature; the message says why.</exception>
    public static Signature FromDictionary(IReadOnlyDictionary<string, object?> dictionary)
    {
        ArgumentNullException.ThrowIfNull(dictionary);
        if (!dictionary.TryGetValue("task", out var task) || task is not string name)
        {
            throw new FormatException("a signature needs a string 'task'");
        }

        var args = dictionary.GetValueOrDefault("args") switch
        {
            null => [],
            IReadOnlyList<object?> list => list,
            _ => throw new FormatException($"signature '{name}': 'args' is not a list"),
        };
        var kwargs = dictionary.GetValueOrDefault("kwargs") switch
        {
            null => new OrderedDictionary<string, object?>(),
            IReadOnlyDictionary<string, object?> map => map,
            _ => throw new FormatException($"signature '{name}': 'kwargs' is not an object"),
        };
        var options = dictionary.GetValueOrDefault("options") switch
        {
            null => new OrderedDictionary<string, object?>(),
            IReadOnlyDictionary<string, object?> map => map,
            _ => throw new FormatException($"signature '{name}': 'options' is not an object"),
        };
        var subtaskType = dictionary.GetValueOrDefault("subtask_type") switch
        {
            null => null,
            string s => s,
            _ => throw new FormatException($"signature '{name}': 'subtask_type' is not a string"),
        };
        var immutable = dictionary.GetValueOrDefault("immutable") switch
        {
            null => false,
            bool b => b,
            _ => throw new FormatException($"signature '{name}': 'immutable' is not a boolean"),
        };
        return new Signature(name, args, kwargs, options, immutable, subtaskType);
    }

    /// <summary>Celery's signature dict: <c>task, args, kwargs, options, subtask_type, immutable</c>.</summary>
    public IReadOnlyDictionary<string, object?> ToDictionary() => new OrderedDictionary<string, object?>
    {
        ["task"] = Task,
        ["args"] = Args,
        ["kwargs"] = Kwargs,
        ["options"] = Options,
        ["subtask_type"] = SubtaskType,
        ["immutable"] = Immutable,
    };

    /// <summary>Sets the typed options (only those given), as Celery's <c>sig.set(...)</c>.</summary>
    /// <param name="options">The options.</param>
    public Signature WithOptions(TaskOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var merged = Copy(Options);
        foreach (var (key, value) in options.ToCeleryOptions())
        {
            merged[key] = value;
        }

        return With(options: merged);
    }

    /// <summary>Sets one option by its Celery name (unknown names become message properties).</summary>
    /// <param name="name">The option name, e.g. <c>is_result</c>.</param>
    /// <param name="value">A JSON-like value.</param>
    public Signature WithOption(string name, object? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var merged = Copy(Options);
        merged[name] = value;
        return With(options: merged);
    }

    /// <summary>
    /// Adds a callback run with this task's result when it succeeds (Celery's <c>link</c>). On a
    /// chord it goes to the body, on a chain to the last task, on a group to the first task
    /// (made immutable), as Celery does.
    /// </summary>
    /// <param name="callback">The callback.</param>
    public Signature Link(Signature callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return SubtaskType switch
        {
            ChordType => ReplaceChordBody(ChordBody!.Link(callback)),
            ChainType when Tasks.Count > 0 => ReplaceTasks(Tasks.Select((t, i) => i == Tasks.Count - 1 ? t.Link(callback) : t)),
            GroupType when Tasks.Count > 0 => ReplaceTasks(Tasks.Select((t, i) => i == 0 ? t.Link(callback.WithImmutable(true)) : t)),
            _ => AppendToListOption("link", callback),
        };
    }

    /// <summary>
    /// Adds an errback run with the failed task's id when it fails (Celery's <c>link_error</c>).
    /// On a chord it goes to the body, on a chain or group to every task, as Celery does.
    /// </summary>
    /// <param name="errback">The errback.</param>
    public Signature LinkError(Signature errback)
    {
        ArgumentNullException.ThrowIfNull(errback);
        return SubtaskType switch
        {
            ChordType => ReplaceChordBody(ChordBody!.LinkError(errback)),
            ChainType or GroupType when Tasks.Count > 0 => ReplaceTasks(Tasks.Select(t => t.LinkError(errback))),
            _ => AppendToListOption("link_error", errback),
        };
    }

    /// <summary>A copy whose args are <paramref name="partialArgs"/> followed by these args, unless immutable (Celery's <c>clone(args)</c>).</summary>
    /// <param name="partialArgs">The arguments to prepend, e.g. the parent's result.</param>
    public Signature WithPartialArgs(IEnumerable<object?> partialArgs)
    {
        ArgumentNullException.ThrowIfNull(partialArgs);
        return Immutable ? this : With(args: partialArgs.Concat(Args).ToList());
    }

    /// <summary>A copy with <see cref="Immutable"/> set.</summary>
    /// <param name="immutable">Whether the parent's result is ignored.</param>
    public Signature WithImmutable(bool immutable) => With(immutable: immutable);

    /// <inheritdoc />
    public override string ToString() => CeleryJson.Serialize(this);

    /// <summary>The dict Python's saferepr sees: a Signature object holds its args as a tuple.</summary>
    internal IReadOnlyList<KeyValuePair<string, object?>> ToReprDictionary() =>
    [
        new("task", Task),
        new("args", new PythonTuple(Args)),
        new("kwargs", Kwargs),
        new("options", Options),
        new("subtask_type", SubtaskType),
        new("immutable", Immutable),
    ];

    internal Signature With(IReadOnlyList<object?>? args = null, IReadOnlyDictionary<string, object?>? options = null, bool? immutable = null) =>
        new(Task, args ?? Args, Kwargs, options ?? Options, immutable ?? Immutable, SubtaskType);

    internal static Signature From(object? value, string what) => value switch
    {
        Signature signature => signature,
        IReadOnlyDictionary<string, object?> dictionary => FromDictionary(dictionary),
        _ => throw new FormatException($"'{what}' is not a signature object"),
    };

    internal static IReadOnlyList<Signature> ReadList(object? value, string what) => value switch
    {
        Signature signature => [signature],
        IReadOnlyDictionary<string, object?> dictionary => [FromDictionary(dictionary)],
        IEnumerable<object?> items => items.Select(item => From(item, what)).ToList(),
        _ => throw new FormatException($"'{what}' is not a list of signatures"),
    };

    internal static OrderedDictionary<string, object?> Copy(IReadOnlyDictionary<string, object?> source)
    {
        var copy = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in source)
        {
            copy[key] = value;
        }

        return copy;
    }

    private static Signature Build(string task, IEnumerable<object?>? args, IEnumerable<KeyValuePair<string, object?>>? kwargs, bool immutable)
    {
        ArgumentException.ThrowIfNullOrEmpty(task);
        var map = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in kwargs ?? [])
        {
            map[key] = value;
        }

        return new Signature(task, (args ?? []).ToList(), map, new OrderedDictionary<string, object?>(StringComparer.Ordinal), immutable, null);
    }

    private static Signature Composite(string task, string type, IEnumerable<Signature> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var kwargs = new OrderedDictionary<string, object?> { ["tasks"] = tasks.Select(t => (object?)t).ToList() };
        return new Signature(task, [], kwargs, new OrderedDictionary<string, object?>(StringComparer.Ordinal), false, type);
    }

    private Signature AppendToListOption(string key, Signature item)
    {
        var merged = Copy(Options);
        var list = merged.TryGetValue(key, out var existing) && existing is IEnumerable<object?> items ? items.ToList() : [];
        list.Add(item);
        merged[key] = list;
        return With(options: merged);
    }

    private Signature ReplaceTasks(IEnumerable<Signature> tasks)
    {
        var kwargs = Copy(Kwargs);
        kwargs["tasks"] = tasks.Select(t => (object?)t).ToList();
        return new Signature(Task, Args, kwargs, Options, Immutable, SubtaskType);
    }

    private Signature ReplaceChordBody(Signature body)
    {
        var kwargs = Copy(Kwargs);
        kwargs["body"] = body;
        return new Signature(Task, Args, kwargs, Options, Immutable, SubtaskType);
    }
}
