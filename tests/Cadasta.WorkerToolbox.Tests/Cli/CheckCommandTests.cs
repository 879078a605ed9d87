using Cadasta.WorkerToolbox.Cli.Commands;
using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Conformance;
using Cadasta.WorkerToolbox.TestSupport.Cli;

namespace Cadasta.WorkerToolbox.Tests.Cli;

public sealed class CheckCommandTests
{
    [Fact]
    public async Task The_defaults_pass_every_check_one_line_each()
    {
        var (exit, output, error) = await CommandRunner.RunAsync(CheckCommand.Create(new Dictionary<string, string>()), "check");

        Assert.Equal(0, exit);
        Assert.Empty(error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(7, lines.Length);
        Assert.All(lines, line => Assert.StartsWith("PASS ", line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_broken_rule_prints_its_failure_and_exits_1()
    {
        var environment = new Dictionary<string, string> { ["CELERY_PLATFORM_QUEUE_NAME"] = "monitor" };

        var (exit, output, _) = await CommandRunner.RunAsync(CheckCommand.Create(environment), "check");

        Assert.Equal(CheckCommand.CheckFailedExitCode, exit);
        Assert.Contains("FAIL platform_queue_name:", output, StringComparison.Ordinal);
        Assert.Contains("PASS default_queue_name:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_setting_exits_2_with_the_reason()
    {
        var environment = new Dictionary<string, string> { ["CELERY_QUEUES"] = "(oops" };

        var (exit, output, error) = await CommandRunner.RunAsync(CheckCommand.Create(environment), "check");

        Assert.Equal(ConfigCommand.InvalidConfigurationExitCode, exit);
        Assert.Empty(output);
        Assert.Contains("CELERY_QUEUES", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_worker_project_verifies_its_configuration_in_one_line()
    {
        ConformanceChecks.Verify(new Config(environment: new Dictionary<string, string>()));

        var broken = new Config(
            new Dictionary<string, object?> { ["task_default_exchange_type"] = "direct" },
            new Dictionary<string, string>());
        var failure = Assert.Throws<ConformanceException>(() => ConformanceChecks.Verify(broken));
        Assert.Contains(failure.Failures, f => f.Name == "default_exchange_type");
    }
}
