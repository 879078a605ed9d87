using Cadasta.WorkerToolbox.Cli.Commands;
using Cadasta.WorkerToolbox.TestSupport.Cli;

namespace Cadasta.WorkerToolbox.IntegrationTests.Cli;

/// <summary><c>send</c> when the broker cannot be reached (the AMQP transport retries its first connection for 30 s).</summary>
public sealed class SendCommandFailureTests
{
    [Fact]
    public async Task An_unreachable_broker_exits_3_without_the_password()
    {
        var environment = new Dictionary<string, string> { ["CELERY_BROKER_URL"] = "amqp://guest:s3cret@127.0.0.1:1//" };

        var (exit, output, error) = await CommandRunner.RunAsync(SendCommand.Create(environment), "send", "msg.noop");

        Assert.Equal(SetupCommand.BrokerErrorExitCode, exit);
        Assert.Empty(output);
        Assert.Contains("amqp://guest:****@127.0.0.1:1//", error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error, StringComparison.Ordinal);
    }
}
