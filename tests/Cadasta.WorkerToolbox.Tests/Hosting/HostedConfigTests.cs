using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Hosting;
using Microsoft.Extensions.Configuration;

namespace Cadasta.WorkerToolbox.Tests.Hosting;

public sealed class HostedConfigTests
{
    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    [Fact]
    public void Code_wins_over_the_configuration_section_which_wins_over_the_environment_which_wins_over_defaults()
    {
        var options = new CadastaOptions { Environment = new Dictionary<string, string>
        {
            ["CELERY_BROKER_URL"] = "amqp://env//",
            ["CELERY_RESULT_BACKEND"] = "db+sqlite:///env.db",
            ["CELERY_WORKER_CONCURRENCY"] = "3",
        } };
        options.Settings["broker_url"] = "amqp://code//";
        var configuration = Configuration(new()
        {
            ["Cadasta:broker_url"] = "amqp://section//",
            ["Cadasta:result_backend"] = "db+sqlite:///section.db",
        });

        var config = HostedConfig.Build(options, configuration);

        Assert.Equal("amqp://code//", config.BrokerUrl);
        Assert.Equal("db+sqlite:///section.db", config.ResultBackend);
        Assert.Equal(3, config.WorkerConcurrency);
        Assert.Equal(4, config.WorkerPrefetchMultiplier);
    }

    [Fact]
    public void Section_values_are_read_as_environment_values_python_literals_included()
    {
        var options = new CadastaOptions { Environment = new Dictionary<string, string>() };
        var configuration = Configuration(new()
        {
            ["Cadasta:QUEUES"] = "['export', 'search']",
            ["Cadasta:task_acks_late"] = "True",
            ["Cadasta:worker_prefetch_multiplier"] = "1",
        });

        var config = HostedConfig.Build(options, configuration);

        Assert.Equal(["export", "search"], config.Queues);
        Assert.True(config.TaskAcksLate);
        Assert.Equal(1, config.WorkerPrefetchMultiplier);
    }

    [Fact]
    public void The_section_follows_the_environment_prefix_and_sentry_keys_stay_unprefixed()
    {
        var options = new CadastaOptions
        {
            ConfigurationSection = "Worker",
            Environment = new Dictionary<string, string> { ["CELERY_ENV_PREFIX"] = "APP_", ["APP_BROKER_URL"] = "amqp://env//" },
        };
        var configuration = Configuration(new()
        {
            ["Worker:result_backend"] = "db+sqlite:///x.db",
            ["Worker:SENTRY_ENVIRONMENT"] = "staging",
            ["Cadasta:broker_url"] = "amqp://ignored//",
        });

        var config = HostedConfig.Build(options, configuration);

        Assert.Equal("APP_", config.EnvPrefix);
        Assert.Equal("amqp://env//", config.BrokerUrl);
        Assert.Equal("db+sqlite:///x.db", config.ResultBackend);
        Assert.Equal("staging", config.SentryEnvironment);
    }

    [Fact]
    public void A_nested_section_key_is_refused_with_its_path()
    {
        var options = new CadastaOptions { Environment = new Dictionary<string, string>() };
        var configuration = Configuration(new() { ["Cadasta:broker_transport_options:region"] = "eu-west-1" });

        var error = Assert.Throws<ConfigurationException>(() => HostedConfig.Build(options, configuration));

        Assert.Contains("Cadasta:broker_transport_options", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_section_only_code_and_environment_count()
    {
        var options = new CadastaOptions { ConfigurationSection = null, Environment = new Dictionary<string, string> { ["CELERY_BROKER_URL"] = "amqp://env//" } };

        var config = HostedConfig.Build(options, Configuration(new() { ["Cadasta:broker_url"] = "amqp://section//" }));

        Assert.Equal("amqp://env//", config.BrokerUrl);
    }
}
