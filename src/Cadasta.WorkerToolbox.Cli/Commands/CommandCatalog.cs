using System.CommandLine;

namespace Cadasta.WorkerToolbox.Cli.Commands;

/// <summary>Every subcommand of <c>cadasta-worker</c>, one file each; each is a thin call into the library.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return DemoCommand.Create();
        yield return ConfigCommand.Create();
        yield return CheckCommand.Create();
        yield return SetupCommand.Create();
        yield return SendCommand.Create();
        yield return ResultCommand.Create();
        yield return MonitorCommand.Create();
        yield return TasksCommand.Create();
        yield return HealthCommand.Create();
        yield return DashboardCommand.Create();
    }
}
