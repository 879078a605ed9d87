using Cadasta.WorkerToolbox.Cli.Commands;
using Cadasta.WorkerToolbox.TestSupport.Cli;

namespace Cadasta.WorkerToolbox.Tests.Cli;

/// <summary>What <c>send</c> refuses before it reaches a broker (publishing is tested against real brokers).</summary>
public sealed class SendCommandTests
{
    private static readonly Dictionary<string, string> Amqp = new() { ["CELERY_BROKER_URL"] = "amqp://guest:guest@127.0.0.1:1//" };

    [Theory]
    [InlineData("--args", "[1,", "--args is not valid JSON")]
    [InlineData("--args", "{\"a\": 1}", "--args must be a JSON array")]
    [InlineData("--kwargs", "[1]", "--kwargs must be a JSON object")]
    [InlineData("--option", "creator_id", "--option 'creator_id' must be KEY=JSON")]
    [InlineData("--option", "creator_id=user", "--option creator_id is not valid JSON")]
    [InlineData("--eta", "tomorrow", "--eta 'tomorrow' is not an ISO 8601 time")]
    public async Task Bad_input_is_refused_with_the_reason_and_exit_2(string option, string value, string reason)
    {
        var (exit, output, error) = await CommandRunner.RunAsync(SendCommand.Create(Amqp), "send", "msg.add", option, value);

        Assert.Equal(ConfigCommand.InvalidConfigurationExitCode, exit);
        Assert.Empty(output);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_in_process_memory_broker_cannot_be_reached_from_a_command()
    {
        var environment = new Dictionary<string, string> { ["CELERY_BROKER_URL"] = "memory://" };

        var (exit, _, error) = await CommandRunner.RunAsync(SendCommand.Create(environment), "send", "msg.noop");

        Assert.Equal(ConfigCommand.InvalidConfigurationExitCode, exit);
        Assert.Contains("MemoryBroker", error, StringComparison.Ordinal);
    }
}
