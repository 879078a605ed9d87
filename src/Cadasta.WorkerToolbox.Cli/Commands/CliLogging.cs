using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Cli.Commands;

/// <summary>Logging for commands: every line on stderr, so stdout carries only the command's answer.</summary>
internal static class CliLogging
{
    public static ILoggerFactory Create(LogLevel minimum = LogLevel.Warning) =>
        LoggerFactory.Create(builder => builder
            .SetMinimumLevel(minimum)
            .AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.TimestampFormat = "HH:mm:ss.fff ";
            })
            .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace));
}
