namespace Cadasta.WorkerToolbox.Configuration;

/// <summary>
/// Names and types of the settings Config knows, with the Celery defaults (celery/app/defaults.py,
/// Celery 5.2) for those the toolbox itself does not set. Knowing a setting's type lets its
/// environment variable be read as a Python literal and checked, where the original took every
/// setting it did not set itself as raw text.
/// </summary>
internal static class SettingCatalog
{
    // Toolbox variables (uppercase) and settings the toolbox sets, with the type their default has.
    public const string EnvPrefix = "ENV_PREFIX";
    public const string Queues = "QUEUES";
    public const string PlatformQueueName = "PLATFORM_QUEUE_NAME";
    public const string QueuePrefix = "QUEUE_PREFIX";
    public const string ResultDbUser = "RESULT_DB_USER";
    public const string ResultDbPass = "RESULT_DB_PASS";
    public const string ResultDbHost = "RESULT_DB_HOST";
    public const string ResultDbPort = "RESULT_DB_PORT";
    public const string ResultDbName = "RESULT_DB_NAME";
    public const string ChordUnlockMaxRetries = "CHORD_UNLOCK_MAX_RETRIES";
    public const string DeadLetterQueue = "DEAD_LETTER_QUEUE";
    public const string MaxDeliveries = "MAX_DELIVERIES";
    public const string MaxMessageBytes = "MAX_MESSAGE_BYTES";
    public const string MaxJsonDepth = "MAX_JSON_DEPTH";
    public const string SetupFileLogging = "SETUP_FILE_LOGGING";
    public const string SetupSentryLogging = "SETUP_SENTRY_LOGGING";
    public const string BrokerTransport = "broker_transport";
    public const string BrokerTransportOptions = "broker_transport_options";
    public const string BrokerUrl = "broker_url";
    public const string ResultBackend = "result_backend";
    public const string TaskTrackStarted = "task_track_started";
    public const string TaskDefaultExchange = "task_default_exchange";
    public const string TaskDefaultExchangeType = "task_default_exchange_type";
    public const string TaskDefaultQueue = "task_default_queue";
    public const string TaskRoutes = "task_routes";
    public const string TaskQueues = "task_queues";
    public const string Imports = "imports";
    public const string WorkerHijackRootLogger = "worker_hijack_root_logger";

    /// <summary>The default the toolbox gives <c>result_backend</c>, rendered against the config.</summary>
    public const string ResultBackendTemplate =
        "db+postgresql://{0.RESULT_DB_USER}:{0.RESULT_DB_PASS}@{0.RESULT_DB_HOST}:{0.RESULT_DB_PORT}/{0.RESULT_DB_NAME}";

    /// <summary>The types of the settings and variables the toolbox sets itself.</summary>
    public static readonly IReadOnlyDictionary<string, SettingType> ToolboxTypes = new Dictionary<string, SettingType>(StringComparer.Ordinal)
    {
        [EnvPrefix] = SettingType.Text,
        [QueuePrefix] = SettingType.Text,
        [BrokerTransport] = SettingType.OptionalText,
        [BrokerTransportOptions] = SettingType.Dict,
        [TaskTrackStarted] = SettingType.Bool,
        [SetupFileLogging] = SettingType.Bool,
        [SetupSentryLogging] = SettingType.Bool,
        [WorkerHijackRootLogger] = SettingType.Bool,
        [ResultDbUser] = SettingType.TextOrInt,
        [ResultDbPass] = SettingType.TextOrInt,
        [ResultDbHost] = SettingType.TextOrInt,
        [ResultDbPort] = SettingType.TextOrInt,
        [ResultDbName] = SettingType.TextOrInt,
        [ResultBackend] = SettingType.OptionalText,
        [TaskDefaultExchange] = SettingType.Text,
        [TaskDefaultExchangeType] = SettingType.Text,
        [Queues] = SettingType.TextTuple,
        [PlatformQueueName] = SettingType.Text,
        [Imports] = SettingType.TextTuple,
        [ChordUnlockMaxRetries] = SettingType.Int,
        [DeadLetterQueue] = SettingType.OptionalText,
        [MaxDeliveries] = SettingType.Int,
        [MaxMessageBytes] = SettingType.Int,
        [MaxJsonDepth] = SettingType.Int,
    };

    /// <summary>
    /// Celery settings a .NET worker uses, each with Celery's own default and type, in the order
    /// Config resolves them (after the toolbox's own).
    /// </summary>
    public static readonly IReadOnlyList<(string Name, SettingType Type, object? Default)> CelerySettings =
    [
        (BrokerUrl, SettingType.OptionalText, null),
        ("broker_connection_retry", SettingType.Bool, true),
        ("broker_connection_max_retries", SettingType.OptionalInt, 100L),
        ("broker_connection_timeout", SettingType.Float, 4L),
        ("broker_heartbeat", SettingType.OptionalInt, 120L),
        ("broker_pool_limit", SettingType.OptionalInt, 10L),
        // False, True or a dict (ca_certs, cert_reqs, certfile, keyfile, server_hostname): TLS to an AMQP broker.
        ("broker_use_ssl", SettingType.Any, false),
        ("result_extended", SettingType.Bool, false),
        ("result_serializer", SettingType.Text, "json"),
        ("result_accept_content", SettingType.OptionalTextList, null),
        ("result_expires", SettingType.OptionalFloat, 86400.0),
        ("result_chord_retry_interval", SettingType.Float, 1.0),
        ("result_chord_join_timeout", SettingType.Float, 3.0),
        ("database_table_names", SettingType.OptionalDict, null),
        ("database_table_schemas", SettingType.OptionalDict, null),
        ("task_acks_late", SettingType.Bool, false),
        ("task_acks_on_failure_or_timeout", SettingType.Bool, true),
        ("task_reject_on_worker_lost", SettingType.OptionalBool, null),
        ("task_ignore_result", SettingType.Bool, false),
        ("task_store_errors_even_if_ignored", SettingType.Bool, false),
        ("task_time_limit", SettingType.OptionalFloat, null),
        ("task_soft_time_limit", SettingType.OptionalFloat, null),
        (TaskDefaultQueue, SettingType.Text, "celery"),
        ("task_default_routing_key", SettingType.OptionalText, null),
        ("task_default_delivery_mode", SettingType.DeliveryMode, 2L),
        // Not in defaults.py: Celery's Task.default_retry_delay class attribute (3 minutes).
        ("task_default_retry_delay", SettingType.Float, 180L),
        ("task_serializer", SettingType.Text, "json"),
        ("task_protocol", SettingType.Int, 2L),
        ("task_send_sent_event", SettingType.Bool, false),
        ("accept_content", SettingType.TextList, new List<object?> { "json" }),
        ("worker_concurrency", SettingType.OptionalInt, null),
        ("worker_prefetch_multiplier", SettingType.Int, 4L),
        ("worker_send_task_events", SettingType.Bool, false),
        ("timezone", SettingType.OptionalText, null),
        ("enable_utc", SettingType.Bool, true),
    ];

    /// <summary>Variables Celery itself exports; never taken as settings (as the original).</summary>
    public static readonly IReadOnlySet<string> IgnoredEnvironmentKeys = new HashSet<string>(StringComparer.Ordinal) { "log_level", "log_file" };

    /// <summary>Whether a name is a Celery-style setting (all lowercase) rather than a toolbox variable.</summary>
    public static bool IsSetting(string name) =>
        name.Any(char.IsLetter) && !name.Any(char.IsUpper);

    /// <summary>Whether a setting or dictionary key names a secret whose whole value is masked.</summary>
    public static bool IsSecretName(string name) =>
        name.Contains("pass", StringComparison.OrdinalIgnoreCase)
        || name.Contains("secret", StringComparison.OrdinalIgnoreCase)
        || name.Contains("token", StringComparison.OrdinalIgnoreCase)
        || name.Contains("credential", StringComparison.OrdinalIgnoreCase);
}
