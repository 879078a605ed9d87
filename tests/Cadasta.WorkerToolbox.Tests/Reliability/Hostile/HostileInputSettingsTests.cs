using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Worker;

namespace Cadasta.WorkerToolbox.Tests.Reliability.Hostile;

public sealed class HostileInputSettingsTests
{
    private static readonly Dictionary<string, string> NoEnvironment = [];

    [Fact]
    public void Defaults_reach_the_worker_options()
    {
        var options = WorkerOptions.FromConfig(new Config(environment: NoEnvironment));
        Assert.Equal(("{queue}.dead", 10, 1024 * 1024, 64), (options.DeadLetterQueue, options.MaxDeliveries, options.MaxMessageBytes, options.MaxJsonDepth));
    }

    [Fact]
    public void Environment_variables_are_read_and_an_empty_queue_name_turns_dead_lettering_off()
    {
        var config = new Config(environment: new Dictionary<string, string>
        {
            ["CELERY_DEAD_LETTER_QUEUE"] = "",
            ["CELERY_MAX_DELIVERIES"] = "3",
            ["CELERY_MAX_MESSAGE_BYTES"] = "65536",
            ["CELERY_MAX_JSON_DEPTH"] = "32",
        });
        Assert.Equal((null, 3, 65536, 32), (config.DeadLetterQueue, config.MaxDeliveries, config.MaxMessageBytes, config.MaxJsonDepth));
        Assert.Equal("dead-letters", new Config(environment: new Dictionary<string, string> { ["CELERY_DEAD_LETTER_QUEUE"] = "dead-letters" }).DeadLetterQueue);
    }

    [Theory]
    [InlineData("CELERY_MAX_DELIVERIES", "0", "MAX_DELIVERIES")]
    [InlineData("CELERY_MAX_DELIVERIES", "'ten'", "MAX_DELIVERIES")]
    [InlineData("CELERY_MAX_MESSAGE_BYTES", "10", "MAX_MESSAGE_BYTES")]
    [InlineData("CELERY_MAX_MESSAGE_BYTES", "99999999999", "MAX_MESSAGE_BYTES")]
    [InlineData("CELERY_MAX_JSON_DEPTH", "2", "MAX_JSON_DEPTH")]
    [InlineData("CELERY_MAX_JSON_DEPTH", "100000", "MAX_JSON_DEPTH")]
    [InlineData("CELERY_DEAD_LETTER_QUEUE", "   ", "DEAD_LETTER_QUEUE")]
    public void Unusable_values_are_refused_naming_the_setting(string variable, string value, string setting)
    {
        var error = Assert.Throws<ConfigurationException>(() => new Config(environment: new Dictionary<string, string> { [variable] = value }));
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }
}
