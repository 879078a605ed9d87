using System.CommandLine;

namespace Cadasta.WorkerToolbox.TestSupport.Cli;

/// <summary>Runs one <c>cadasta-worker</c> command in process and captures what it prints.</summary>
public static class CommandRunner
{
    /// <summary>Parses <paramref name="args"/> against <paramref name="command"/> and invokes it.</summary>
    public static async Task<(int Exit, string Output, string Error)> RunAsync(Command command, params string[] args)
    {
        var root = new RootCommand { command };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }
}
