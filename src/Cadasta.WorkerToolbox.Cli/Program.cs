using System.CommandLine;
using Cadasta.WorkerToolbox.Cli.Commands;

var root = new RootCommand("cadasta-worker: run and inspect Celery-compatible Cadasta workers written in .NET.");
foreach (var command in CommandCatalog.All())
{
    root.Subcommands.Add(command);
}

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
