using System.Collections.ObjectModel;
using Cadasta.WorkerToolbox.Python;
using Cadasta.WorkerToolbox.Routing;

namespace Cadasta.WorkerToolbox.Configuration;

/// <summary>
/// The configuration of a Cadasta worker, as the Python toolbox's <c>Config</c>: every Celery
/// setting by its lowercase name (<c>broker_url</c>, <c>task_acks_late</c>, ...) and the toolbox's
/// own uppercase variables (<c>QUEUES</c>, <c>PLATFORM_QUEUE_NAME</c>, <c>RESULT_DB_PASS</c>, ...).
/// A value given in code wins over the environment variable <c>CELERY_&lt;NAME&gt;</c> (prefix set by
/// <c>ENV_PREFIX</c> in code or <c>CELERY_ENV_PREFIX</c> in the environment), which wins over the
/// default. Environment values of non-text settings are Python literals. Immutable once built.
/// See docs/configuration.md for every setting.
/// </summary>
public sealed class Config
{
    private readonly ReadOnlyDictionary<string, object?> _values;

    /// <summary>Resolves the configuration.</summary>
    /// <param name="settings">
    /// Values given in code, by name: lowercase Celery settings and uppercase toolbox variables.
    /// Values are plain CLR values (null, bool, integers, floating point, string, arrays as tuples,
    /// lists, dictionaries with string keys); <c>task_queues</c> takes <see cref="QueueDeclaration"/>s
    /// and <c>task_routes</c> an <see cref="ITaskRouter"/> or a list of them.
    /// </param>
    /// <param name="environment">
    /// The environment variables to read; null reads the process environment once, now.
    /// Tests pass a dictionary so they never touch the real environment.
    /// </param>
    /// <exception cref="ConfigurationException">A value cannot be used; the message says which and why.</exception>
    public Config(IReadOnlyDictionary<string, object?>? settings = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var snapshot = environment is null ? ReadProcessEnvironment() : new Dictionary<string, string>(environment, StringComparer.Ordinal);
        _values = new ReadOnlyDictionary<string, object?>(
            ConfigResolver.Resolve(settings ?? new Dictionary<string, object?>(), snapshot));

        Settings = Sorted(_values.Where(p => SettingCatalog.IsSetting(p.Key)));
        Variables = Sorted(_values.Where(p => !SettingCatalog.IsSetting(p.Key)));
        Queues = [.. ((IReadOnlyList<object?>)_values[SettingCatalog.Queues]!).Cast<string>()];
        TaskQueues = (IReadOnlyList<QueueDeclaration>)_values[SettingCatalog.TaskQueues]!;
        TaskRouters = _values[SettingCatalog.TaskRoutes] switch
        {
            ITaskRouter router => [router],
            var routers => (IReadOnlyList<ITaskRouter>)routers!,
        };
        SentryDsn = NullIfEmpty(snapshot.GetValueOrDefault("SENTRY_DSN"));
        SentryName = NullIfEmpty(snapshot.GetValueOrDefault("SENTRY_NAME"));
        SentryEnvironment = NullIfEmpty(snapshot.GetValueOrDefault("SENTRY_ENVIRONMENT"));
        SentryRelease = NullIfEmpty(snapshot.GetValueOrDefault("SENTRY_RELEASE"));
    }

    /// <summary>The lowercase Celery settings, sorted by name (the original's <c>to_dict()</c>); values unmasked.</summary>
    public IReadOnlyDictionary<string, object?> Settings { get; }

    /// <summary>The uppercase (or mixed-case) toolbox variables, sorted by name; values unmasked.</summary>
    public IReadOnlyDictionary<string, object?> Variables { get; }

    /// <summary>The value of a setting or variable by its exact name.</summary>
    /// <param name="name">For example <c>broker_url</c> or <c>QUEUES</c>.</param>
    /// <exception cref="KeyNotFoundException">No such setting or variable.</exception>
    public object? this[string name] => _values.TryGetValue(name, out var value)
        ? value
        : throw new KeyNotFoundException($"The configuration has no setting or variable named '{name}'.");

    /// <summary>The value of a setting or variable by its exact name, if it has one.</summary>
    /// <param name="name">For example <c>broker_url</c> or <c>QUEUES</c>.</param>
    /// <param name="value">The value (null is a value: Python's None).</param>
    public bool TryGet(string name, out object? value) => _values.TryGetValue(name, out value);

    /// <summary>The prefix of the environment variables read (<c>ENV_PREFIX</c>, default <c>CELERY_</c>).</summary>
    public string EnvPrefix => (string)_values[SettingCatalog.EnvPrefix]!;

    /// <summary>The worker's own queues (<c>QUEUES</c>, default <c>msg</c>, <c>export</c>).</summary>
    public IReadOnlyList<string> Queues { get; }

    /// <summary>The queue bound with <c>#</c> that receives a copy of every task (<c>PLATFORM_QUEUE_NAME</c>, default <c>platform.fifo</c>).</summary>
    public string PlatformQueueName => (string)_values[SettingCatalog.PlatformQueueName]!;

    /// <summary>The prefix of SQS queue names (<c>QUEUE_PREFIX</c>, default <c>dev</c>).</summary>
    public string QueuePrefix => PythonRepr.Str(_values[SettingCatalog.QueuePrefix]);

    /// <summary>Celery's <c>task_default_queue</c> (default <c>celery</c>).</summary>
    public string DefaultQueue => (string)_values[SettingCatalog.TaskDefaultQueue]!;

    /// <summary>The exchange tasks are published to (<c>task_default_exchange</c>, default <c>task_exchange</c>).</summary>
    public string DefaultExchange => (string)_values[SettingCatalog.TaskDefaultExchange]!;

    /// <summary>Its type (<c>task_default_exchange_type</c>, default <c>topic</c>).</summary>
    public string DefaultExchangeType => (string)_values[SettingCatalog.TaskDefaultExchangeType]!;

    /// <summary>The queues to declare (<c>task_queues</c>): given in code, or generated from <see cref="Queues"/>.</summary>
    public IReadOnlyList<QueueDeclaration> TaskQueues { get; }

    /// <summary>The routers of <c>task_routes</c>, asked in order (default: <see cref="FirstSegmentRouter"/>).</summary>
    public IReadOnlyList<ITaskRouter> TaskRouters { get; }

    /// <summary>How many times <c>celery.chord_unlock</c> polls before giving up (<c>CHORD_UNLOCK_MAX_RETRIES</c>, default 21600).</summary>
    public int ChordUnlockMaxRetries => (int)(long)_values[SettingCatalog.ChordUnlockMaxRetries]!;

    /// <summary>
    /// Where the worker moves a message it cannot run (<c>DEAD_LETTER_QUEUE</c>, default <c>{queue}.dead</c>:
    /// <c>{queue}</c> stands for the queue the message came from), or null (empty): such messages are logged and dropped, as Celery does.
    /// </summary>
    public string? DeadLetterQueue => (string?)_values[SettingCatalog.DeadLetterQueue] is { Length: > 0 } name ? name : null;

    /// <summary>How many times a message may be delivered without being settled before it is dead-lettered (<c>MAX_DELIVERIES</c>, default 10).</summary>
    public int MaxDeliveries => (int)(long)_values[SettingCatalog.MaxDeliveries]!;

    /// <summary>The largest message body the worker decodes, in bytes (<c>MAX_MESSAGE_BYTES</c>, default 1 MiB).</summary>
    public int MaxMessageBytes => (int)(long)_values[SettingCatalog.MaxMessageBytes]!;

    /// <summary>The deepest nesting of arrays and objects the worker decodes in a body (<c>MAX_JSON_DEPTH</c>, default 64).</summary>
    public int MaxJsonDepth => (int)(long)_values[SettingCatalog.MaxJsonDepth]!;

    /// <summary>The rendered <c>result_backend</c> URL (default <c>db+postgresql://worker:cadasta@localhost:5432/cadasta</c>), or null.</summary>
    public string? ResultBackend => (string?)_values[SettingCatalog.ResultBackend];

    /// <summary>Celery's <c>broker_url</c> (default None: the transport's default URL).</summary>
    public string? BrokerUrl => (string?)_values[SettingCatalog.BrokerUrl];

    /// <summary>Celery's <c>broker_transport</c> (default <c>sqs</c>).</summary>
    public string? BrokerTransport => (string?)_values[SettingCatalog.BrokerTransport];

    /// <summary>Celery's <c>broker_transport_options</c> (default: the toolbox's SQS options).</summary>
    public IReadOnlyDictionary<string, object?> BrokerTransportOptions =>
        (IReadOnlyDictionary<string, object?>)_values[SettingCatalog.BrokerTransportOptions]!;

    /// <summary>Celery's <c>task_track_started</c> (default true in the toolbox).</summary>
    public bool TaskTrackStarted => GetBool(SettingCatalog.TaskTrackStarted);

    /// <summary>Celery's <c>task_acks_late</c> (default false).</summary>
    public bool TaskAcksLate => GetBool("task_acks_late");

    /// <summary>Celery's <c>task_acks_on_failure_or_timeout</c> (default true).</summary>
    public bool TaskAcksOnFailureOrTimeout => GetBool("task_acks_on_failure_or_timeout");

    /// <summary>Celery's <c>task_ignore_result</c> (default false).</summary>
    public bool TaskIgnoreResult => GetBool("task_ignore_result");

    /// <summary>Celery's <c>result_extended</c> (default false).</summary>
    public bool ResultExtended => GetBool("result_extended");

    /// <summary>Celery's <c>task_time_limit</c>: the hard time limit, or null for none.</summary>
    public TimeSpan? TaskTimeLimit => GetSeconds("task_time_limit");

    /// <summary>Celery's <c>task_soft_time_limit</c>: the soft time limit, or null for none.</summary>
    public TimeSpan? TaskSoftTimeLimit => GetSeconds("task_soft_time_limit");

    /// <summary>The delay before a retry when the task gives none (<c>task_default_retry_delay</c>, default 180 s as Celery's Task).</summary>
    public TimeSpan TaskDefaultRetryDelay => GetSeconds("task_default_retry_delay")!.Value;

    /// <summary>Celery's <c>task_default_delivery_mode</c> as the AMQP number: 2 persistent (default), 1 transient.</summary>
    public int TaskDefaultDeliveryMode => _values["task_default_delivery_mode"] is 1L or "1" or "transient" ? 1 : 2;

    /// <summary>Celery's <c>task_default_routing_key</c> (default None: taken from the queue).</summary>
    public string? TaskDefaultRoutingKey => (string?)_values["task_default_routing_key"];

    /// <summary>Celery's <c>task_serializer</c> (default <c>json</c>).</summary>
    public string TaskSerializer => (string)_values["task_serializer"]!;

    /// <summary>Celery's <c>accept_content</c> (default <c>['json']</c>).</summary>
    public IReadOnlyList<string> AcceptContent => [.. ((IReadOnlyList<object?>)_values["accept_content"]!).Cast<string>()];

    /// <summary>Celery's <c>worker_concurrency</c>, or null for the number of processors (Celery's default).</summary>
    public int? WorkerConcurrency => _values["worker_concurrency"] is long l ? (int)l : null;

    /// <summary>Celery's <c>worker_prefetch_multiplier</c> (default 4).</summary>
    public int WorkerPrefetchMultiplier => (int)(long)_values["worker_prefetch_multiplier"]!;

    /// <summary>Celery's <c>result_chord_retry_interval</c>: how often a chord's completion is polled (default 1 s).</summary>
    public TimeSpan ResultChordRetryInterval => GetSeconds("result_chord_retry_interval")!.Value;

    /// <summary>Celery's <c>timezone</c> (default None: UTC).</summary>
    public string? Timezone => (string?)_values["timezone"];

    /// <summary>Celery's <c>enable_utc</c> (default true).</summary>
    public bool EnableUtc => GetBool("enable_utc");

    /// <summary>Whether the worker logs to rotating files (<c>SETUP_FILE_LOGGING</c>, default false).</summary>
    public bool SetupFileLogging => GetBool(SettingCatalog.SetupFileLogging);

    /// <summary>Whether errors go to Sentry (<c>SETUP_SENTRY_LOGGING</c>, default: true exactly when <c>SENTRY_DSN</c> is set).</summary>
    public bool SetupSentryLogging => GetBool(SettingCatalog.SetupSentryLogging);

    /// <summary>The environment's <c>SENTRY_DSN</c> (not prefixed), or null.</summary>
    public string? SentryDsn { get; }

    /// <summary>The environment's <c>SENTRY_NAME</c>, or null.</summary>
    public string? SentryName { get; }

    /// <summary>The environment's <c>SENTRY_ENVIRONMENT</c>, or null.</summary>
    public string? SentryEnvironment { get; }

    /// <summary>The environment's <c>SENTRY_RELEASE</c>, or null.</summary>
    public string? SentryRelease { get; }

    /// <summary>The exchange tasks are published to, as declared.</summary>
    public ExchangeDeclaration DefaultExchangeDeclaration => new(DefaultExchange, DefaultExchangeType);

    /// <summary>The exchanges, queues and bindings of <see cref="TaskQueues"/>.</summary>
    public Topology CreateTopology() => new(TaskQueues, [DefaultExchangeDeclaration]);

    /// <summary>Where a task is published: the first route any of <see cref="TaskRouters"/> gives, or null.</summary>
    /// <param name="taskName">The task's name, for example <c>export.project</c>.</param>
    public TaskRoute? RouteTask(string taskName)
    {
        ArgumentNullException.ThrowIfNull(taskName);
        return TaskRouters.Select(router => router.Route(taskName)).FirstOrDefault(route => route is not null);
    }

    /// <summary>
    /// The printable form, as the original's repr: <c>Config({...})</c> with the settings sorted and
    /// pretty-printed as Python would, passwords masked unless <see cref="ConfigPrintOptions.ShowSecrets"/>.
    /// </summary>
    /// <param name="options">Whether to add the uppercase variables and to show secrets.</param>
    public string ToPythonRepr(ConfigPrintOptions options = ConfigPrintOptions.None) =>
        "Config(" + PrettyPrinter.Format(PrintableEntries(options, forRepr: true)) + ")";

    /// <summary>The settings as one JSON object (what <c>cadasta-worker config --json</c> prints), passwords masked unless asked.</summary>
    /// <param name="options">Whether to add the uppercase variables and to show secrets.</param>
    public string ToJson(ConfigPrintOptions options = ConfigPrintOptions.None) =>
        ConfigJsonWriter.Write(PrintableEntries(options, forRepr: false));

    /// <summary>The printable form with passwords masked (<see cref="ToPythonRepr"/>).</summary>
    public override string ToString() => ToPythonRepr();

    private Dictionary<string, object?> PrintableEntries(ConfigPrintOptions options, bool forRepr)
    {
        var entries = options.HasFlag(ConfigPrintOptions.IncludeVariables) ? _values : Settings;
        var showSecrets = options.HasFlag(ConfigPrintOptions.ShowSecrets);
        return entries
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ToDictionary(
                p => p.Key,
                p =>
                {
                    // The original's task_queues is a set of kombu Queues; print it as one.
                    var value = forRepr && p.Value is IReadOnlyList<QueueDeclaration> queues ? new PythonSet(queues) : p.Value;
                    return showSecrets ? value : SecretMasker.MaskValue(p.Key, value);
                },
                StringComparer.Ordinal);
    }

    private bool GetBool(string name) => _values[name] switch
    {
        bool flag => flag,
        long number => number != 0,
        var other => throw new InvalidOperationException($"Setting '{name}' holds {other ?? "None"}, not a bool."),
    };

    private TimeSpan? GetSeconds(string name) => _values[name] switch
    {
        null => null,
        long l => TimeSpan.FromSeconds(l),
        double d => TimeSpan.FromSeconds(d),
        var other => TimeSpan.FromSeconds((double)(System.Numerics.BigInteger)other),
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static ReadOnlyDictionary<string, object?> Sorted(IEnumerable<KeyValuePair<string, object?>> entries) =>
        new(new SortedDictionary<string, object?>(entries.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), StringComparer.Ordinal));

    private static Dictionary<string, string> ReadProcessEnvironment()
    {
        var snapshot = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            snapshot[(string)entry.Key] = (string?)entry.Value ?? string.Empty;
        }

        return snapshot;
    }
}
