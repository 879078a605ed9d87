using Cadasta.WorkerToolbox.Configuration;
using static Cadasta.WorkerToolbox.Tests.Configuration.TestConfig;

namespace Cadasta.WorkerToolbox.Tests.Configuration;

/// <summary>The toolbox's defaults (checked against conf.py, not its README) and the typed accessors.</summary>
public sealed class ConfigSettingsTests
{
    [Fact]
    public void Defaults_are_the_toolboxs()
    {
        var config = Build();

        Assert.Equal("sqs", config.BrokerTransport);
        Assert.Null(config.BrokerUrl);
        Assert.Equal(
            new Dictionary<string, object?>
            {
                ["region"] = "us-west-2",
                ["queue_name_prefix"] = "dev-",
                ["wait_time_seconds"] = 20L,
                ["visibility_timeout"] = 20L,
                ["interval_start"] = 0L,
                ["max_retries"] = 1L,
            },
            config.BrokerTransportOptions);
        Assert.Equal("dev", config.QueuePrefix);
        Assert.True(config.TaskTrackStarted);
        Assert.Equal("worker", config["RESULT_DB_USER"]);
        Assert.Equal("cadasta", config["RESULT_DB_PASS"]);
        Assert.Equal("localhost", config["RESULT_DB_HOST"]);
        Assert.Equal("5432", config["RESULT_DB_PORT"]);
        Assert.Equal("cadasta", config["RESULT_DB_NAME"]);
        Assert.Equal("task_exchange", config.DefaultExchange);
        Assert.Equal("topic", config.DefaultExchangeType);
        Assert.Equal("celery", config.DefaultQueue);
        Assert.Equal(21600, config.ChordUnlockMaxRetries);
        Assert.False(config.SetupFileLogging);
        Assert.Equal(new object?[] { "app.tasks" }, Assert.IsAssignableFrom<IReadOnlyList<object?>>(config["imports"]));
        Assert.Equal("CELERY_", config.EnvPrefix);
    }

    [Fact]
    public void Celery_settings_a_worker_uses_have_celerys_defaults()
    {
        var config = Build();

        Assert.False(config.TaskAcksLate);
        Assert.True(config.TaskAcksOnFailureOrTimeout);
        Assert.False(config.TaskIgnoreResult);
        Assert.False(config.ResultExtended);
        Assert.Null(config.TaskTimeLimit);
        Assert.Null(config.TaskSoftTimeLimit);
        Assert.Equal(TimeSpan.FromMinutes(3), config.TaskDefaultRetryDelay);
        Assert.Equal(2, config.TaskDefaultDeliveryMode);
        Assert.Null(config.TaskDefaultRoutingKey);
        Assert.Equal("json", config.TaskSerializer);
        Assert.Equal(["json"], config.AcceptContent);
        Assert.Null(config.WorkerConcurrency);
        Assert.Equal(4, config.WorkerPrefetchMultiplier);
        Assert.Equal(TimeSpan.FromSeconds(1), config.ResultChordRetryInterval);
        Assert.Null(config.Timezone);
        Assert.True(config.EnableUtc);
        Assert.True((bool)config["worker_hijack_root_logger"]!);
    }

    [Theory]
    [InlineData("transient", 1)]
    [InlineData("persistent", 2)]
    [InlineData("1", 1)]
    public void Delivery_mode_accepts_celerys_names(string value, int expected)
    {
        Assert.Equal(expected, FromEnvironment(("CELERY_TASK_DEFAULT_DELIVERY_MODE", value)).TaskDefaultDeliveryMode);
    }

    [Fact]
    public void Code_values_become_plain_values()
    {
        var config = Build(new()
        {
            ["task_time_limit"] = TimeSpan.FromMinutes(5),
            ["worker_concurrency"] = (short)2,
            ["custom_tuple"] = new[] { 1, 2 },
            ["custom_dict"] = new Dictionary<string, int> { ["a"] = 1 },
        });

        Assert.Equal(TimeSpan.FromMinutes(5), config.TaskTimeLimit);
        Assert.Equal(300.0, config["task_time_limit"]);
        Assert.Equal(2, config.WorkerConcurrency);
        Assert.Contains("'custom_tuple': (1, 2),", config.ToPythonRepr(), StringComparison.Ordinal);
        Assert.Equal(1L, Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(config["custom_dict"])["a"]);
    }

    [Fact]
    public void Dictionaries_given_in_code_need_string_keys()
    {
        var error = Fails(new() { ["broker_transport_options"] = new Dictionary<int, string> { [1] = "a" } });

        Assert.Equal("broker_transport_options", error.Name);
    }

    [Fact]
    public void File_logging_stops_celery_hijacking_the_root_logger()
    {
        var config = Build(new() { ["SETUP_FILE_LOGGING"] = true });

        Assert.True(config.SetupFileLogging);
        Assert.False((bool)config["worker_hijack_root_logger"]!);
    }

    [Fact]
    public void Sentry_logging_is_on_exactly_when_sentry_dsn_is_set()
    {
        Assert.False(Build().SetupSentryLogging);
        Assert.False(FromEnvironment(("SENTRY_DSN", "")).SetupSentryLogging);

        var config = FromEnvironment(
            ("SENTRY_DSN", "https://key@sentry.example/1"),
            ("SENTRY_NAME", "worker-1"),
            ("SENTRY_ENVIRONMENT", "prod"),
            ("SENTRY_RELEASE", "987"));

        Assert.True(config.SetupSentryLogging);
        Assert.Equal("https://key@sentry.example/1", config.SentryDsn);
        Assert.Equal("worker-1", config.SentryName);
        Assert.Equal("prod", config.SentryEnvironment);
        Assert.Equal("987", config.SentryRelease);
    }

    [Fact]
    public void Sentry_logging_can_be_turned_off_despite_a_dsn()
    {
        var config = Build(new() { ["SETUP_SENTRY_LOGGING"] = false }, new() { ["SENTRY_DSN"] = "https://key@sentry.example/1" });

        Assert.False(config.SetupSentryLogging);
    }

    [Fact]
    public void Sentry_logging_forced_on_without_a_dsn_is_an_error()
    {
        var error = Fails(environment: new() { ["CELERY_SETUP_SENTRY_LOGGING"] = "True" });

        Assert.Equal("SETUP_SENTRY_LOGGING", error.Name);
        Assert.Contains("SENTRY_DSN", error.Message, StringComparison.Ordinal);
    }
}
