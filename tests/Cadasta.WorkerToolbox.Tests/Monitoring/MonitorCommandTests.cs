using System.CommandLine;
using Cadasta.WorkerToolbox.Cli.Commands;

namespace Cadasta.WorkerToolbox.Tests.Monitoring;

public sealed class MonitorCommandTests : IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Runs_until_cancelled_and_exits_with_zero()
    {
        using var stop = new CancellationTokenSource();
        var run = RunAsync(stop.Token, "monitor", "--broker", "memory://", "--backend", "db+sqlite:///" + _database.FilePath, "--report-interval", "0");

        // The record table exists once the monitor has started.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!File.Exists(_database.FilePath) || (long)_database.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'cadasta_task_record'")! == 0)
        {
            Assert.False(run.IsCompleted, $"The monitor stopped early: {(run.IsCompleted ? (await run).Error : null)}");
            Assert.True(DateTime.UtcNow < deadline, "The monitor did not create its table.");
            await Task.Delay(50);
        }

        await stop.CancelAsync();
        var (exit, _, error) = await run.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, error);
    }

    [Theory]
    [InlineData("--backend", "redis://localhost")]
    [InlineData("--broker", "kafka://localhost")]
    [InlineData("--batch-size", "0")]
    public async Task An_unusable_setting_exits_with_two(string option, string value)
    {
        var settings = new Dictionary<string, string> { ["--broker"] = "memory://", ["--backend"] = "db+sqlite:///" + _database.FilePath, [option] = value };
        string[] args = ["monitor", .. settings.SelectMany(setting => new[] { setting.Key, setting.Value })];

        var (exit, _, error) = await RunAsync(CancellationToken.None, args);

        Assert.Equal(MonitorCommand.ExitConfigurationError, exit);
        Assert.NotEqual(string.Empty, error);
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        var root = new RootCommand { MonitorCommand.Create(new Dictionary<string, string>()) };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
        return (exit, output.ToString(), error.ToString());
    }
}
