using Cadasta.WorkerToolbox.Configuration;
using static Cadasta.WorkerToolbox.Tests.Configuration.TestConfig;

namespace Cadasta.WorkerToolbox.Tests.Configuration;

/// <summary>Code wins over the environment, the environment over the default; the prefix can move.</summary>
public sealed class ConfigPrecedenceTests
{
    [Fact]
    public void A_lowercase_setting_takes_its_default_without_code_or_environment()
    {
        Assert.Equal("sqs", Build()["broker_transport"]);
    }

    [Fact]
    public void A_lowercase_setting_comes_from_the_environment_over_the_default()
    {
        var config = FromEnvironment(("CELERY_BROKER_TRANSPORT", "amqp"));

        Assert.Equal("amqp", config.BrokerTransport);
    }

    [Fact]
    public void A_lowercase_setting_given_in_code_wins_over_the_environment()
    {
        var config = Build(new() { ["broker_transport"] = "memory" }, new() { ["CELERY_BROKER_TRANSPORT"] = "amqp" });

        Assert.Equal("memory", config.BrokerTransport);
    }

    [Fact]
    public void An_uppercase_variable_follows_the_same_order()
    {
        Assert.Equal("dev", Build().QueuePrefix);
        Assert.Equal("prod", FromEnvironment(("CELERY_QUEUE_PREFIX", "prod")).QueuePrefix);
        Assert.Equal(
            "staging",
            Build(new() { ["QUEUE_PREFIX"] = "staging" }, new() { ["CELERY_QUEUE_PREFIX"] = "prod" }).QueuePrefix);
    }

    [Fact]
    public void A_typed_setting_follows_the_same_order()
    {
        Assert.Equal(4, Build().WorkerPrefetchMultiplier);
        Assert.Equal(1, FromEnvironment(("CELERY_WORKER_PREFETCH_MULTIPLIER", "1")).WorkerPrefetchMultiplier);
        Assert.Equal(
            8,
            Build(new() { ["worker_prefetch_multiplier"] = 8 }, new() { ["CELERY_WORKER_PREFETCH_MULTIPLIER"] = "1" }).WorkerPrefetchMultiplier);
    }

    [Fact]
    public void The_queue_prefix_flows_into_the_default_transport_options()
    {
        var config = FromEnvironment(("CELERY_QUEUE_PREFIX", "prod"));

        Assert.Equal("prod-", config.BrokerTransportOptions["queue_name_prefix"]);
    }

    [Fact]
    public void The_prefix_given_in_code_changes_which_variables_are_read()
    {
        var config = Build(
            new() { ["ENV_PREFIX"] = "WORKER_" },
            new() { ["WORKER_QUEUE_PREFIX"] = "from-worker", ["CELERY_QUEUE_PREFIX"] = "from-celery", ["CELERY_FOO"] = "x" });

        Assert.Equal("WORKER_", config.EnvPrefix);
        Assert.Equal("from-worker", config.QueuePrefix);
        Assert.False(config.TryGet("foo", out _));
    }

    [Fact]
    public void The_prefix_given_in_the_environment_changes_which_variables_are_read()
    {
        var config = FromEnvironment(
            ("CELERY_ENV_PREFIX", "APP_"),
            ("APP_BROKER_TRANSPORT", "amqp"),
            ("APP_QUEUES", "('geo',)"),
            ("CELERY_BROKER_TRANSPORT", "memory"));

        Assert.Equal("APP_", config.EnvPrefix);
        Assert.Equal("amqp", config.BrokerTransport);
        Assert.Equal(["geo"], config.Queues);
    }

    [Fact]
    public void The_prefix_given_in_code_wins_over_the_one_in_the_environment()
    {
        var config = Build(
            new() { ["ENV_PREFIX"] = "CODE_" },
            new() { ["CELERY_ENV_PREFIX"] = "ENV_", ["CODE_QUEUE_PREFIX"] = "code", ["ENV_QUEUE_PREFIX"] = "env" });

        Assert.Equal("code", config.QueuePrefix);
    }

    [Fact]
    public void The_environment_is_read_once_and_the_config_never_changes()
    {
        var environment = new Dictionary<string, string> { ["CELERY_QUEUE_PREFIX"] = "one" };
        var config = new Config(environment: environment);

        environment["CELERY_QUEUE_PREFIX"] = "two";

        Assert.Equal("one", config.QueuePrefix);
        Assert.Throws<NotSupportedException>(() => ((IDictionary<string, object?>)config.Settings).Add("x", 1));
    }

    [Fact]
    public void Values_given_in_code_are_copied_so_later_changes_do_not_leak_in()
    {
        var queues = new List<string> { "msg" };
        var config = Build(new() { ["QUEUES"] = queues });

        queues.Add("export");

        Assert.Equal(["msg"], config.Queues);
    }
}
