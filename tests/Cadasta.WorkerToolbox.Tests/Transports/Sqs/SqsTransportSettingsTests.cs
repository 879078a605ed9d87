using Cadasta.WorkerToolbox.Transports.Sqs;

namespace Cadasta.WorkerToolbox.Tests.Transports.Sqs;

public sealed class SqsTransportSettingsTests
{
    [Fact]
    public void Bare_url_uses_the_default_chain_and_kombu_defaults()
    {
        var settings = SqsTransportSettings.Parse("sqs://", null);

        Assert.Null(settings.AccessKeyId);
        Assert.Null(settings.SecretAccessKey);
        Assert.Null(settings.ServiceUrl);
        Assert.Equal("us-east-1", settings.Region);
        Assert.Equal(string.Empty, settings.QueueNamePrefix);
        Assert.Equal(10, settings.WaitTimeSeconds);
        Assert.Equal(1800, settings.VisibilityTimeoutSeconds);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.PollingInterval);
        Assert.True(settings.Base64Encoding);
    }

    [Fact]
    public void Keys_in_the_url_are_url_decoded()
    {
        var settings = SqsTransportSettings.Parse("sqs://AKIAEXAMPLE:ab%2Fcd%2Bef@", null);

        Assert.Equal("AKIAEXAMPLE", settings.AccessKeyId);
        Assert.Equal("ab/cd+ef", settings.SecretAccessKey);
        Assert.Null(settings.ServiceUrl);
    }

    [Theory]
    [InlineData(null, "http://127.0.0.1:9324/")]
    [InlineData(false, "http://127.0.0.1:9324/")]
    [InlineData(true, "https://127.0.0.1:9324/")]
    public void Host_and_port_are_the_endpoint_https_only_when_is_secure(bool? isSecure, string expected)
    {
        var options = new Dictionary<string, object?> { ["is_secure"] = isSecure };

        var settings = SqsTransportSettings.Parse("sqs://test:test@127.0.0.1:9324/", options);

        Assert.Equal(new Uri(expected), settings.ServiceUrl);
    }

    [Fact]
    public void Cadasta_transport_options_are_read()
    {
        var options = new Dictionary<string, object?>
        {
            ["region"] = "us-west-2",
            ["queue_name_prefix"] = "dev-",
            ["wait_time_seconds"] = 20L,
            ["visibility_timeout"] = 20L,
            ["polling_interval"] = 0.5,
            ["sqs_base64_encoding"] = false,
            ["predefined_queues"] = new Dictionary<string, object?>
            {
                ["dev-export"] = new Dictionary<string, object?> { ["url"] = "https://sqs.us-west-2.amazonaws.com/1/dev-export" },
            },
            ["sqs-creation-attributes"] = new Dictionary<string, object?> { ["MessageRetentionPeriod"] = 3600L },
        };

        var settings = SqsTransportSettings.Parse("sqs://", options, environmentRegion: "eu-west-1");

        Assert.Equal("us-west-2", settings.Region);
        Assert.Equal("dev-", settings.QueueNamePrefix);
        Assert.Equal(20, settings.WaitTimeSeconds);
        Assert.Equal(20, settings.VisibilityTimeoutSeconds);
        Assert.Equal(TimeSpan.FromMilliseconds(500), settings.PollingInterval);
        Assert.False(settings.Base64Encoding);
        Assert.Equal("https://sqs.us-west-2.amazonaws.com/1/dev-export", settings.PredefinedQueues["dev-export"]);
        Assert.Equal("3600", settings.CreationAttributes["MessageRetentionPeriod"]);
    }

    [Fact]
    public void Region_falls_back_to_the_environment_then_us_east_1()
    {
        Assert.Equal("eu-west-1", SqsTransportSettings.Parse("sqs://", null, "eu-west-1").Region);
        Assert.Equal("us-east-1", SqsTransportSettings.Parse("sqs://", null, null).Region);
    }

    [Fact]
    public void Zero_visibility_timeout_means_the_default_as_in_kombu() =>
        Assert.Equal(1800, SqsTransportSettings.Parse("sqs://", new Dictionary<string, object?> { ["visibility_timeout"] = 0L }).VisibilityTimeoutSeconds);

    [Theory]
    [InlineData("amqp://guest:guest@localhost//")]
    [InlineData("localhost")]
    public void Other_urls_are_refused(string url) =>
        Assert.Throws<ArgumentException>(() => SqsTransportSettings.Parse(url, null));

    [Fact]
    public void Wait_time_above_twenty_seconds_is_refused() =>
        Assert.Throws<ArgumentException>(() => SqsTransportSettings.Parse("sqs://", new Dictionary<string, object?> { ["wait_time_seconds"] = 21L }));

    [Fact]
    public void The_secret_never_appears_in_text()
    {
        var settings = SqsTransportSettings.Parse("sqs://AKIAEXAMPLE:VerySecret%2Fvalue@127.0.0.1:9324/", null);

        Assert.DoesNotContain("VerySecret", settings.ToString(), StringComparison.Ordinal);
        Assert.Contains("AKIAEXAMPLE", settings.ToString(), StringComparison.Ordinal);
    }
}
