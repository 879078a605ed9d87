using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Hosting;

/// <summary>
/// The Python toolbox's log line, <c>[%(asctime)s: %(levelname)s/%(processName)s %(message)s</c>
/// (the missing <c>]</c> is the toolbox's), with <c>asctime</c> in local time as
/// <c>YYYY-MM-DD HH:MM:SS,mmm</c>; an exception follows on the next lines, as Python appends a traceback.
/// </summary>
internal static class ToolboxLogFormat
{
    public const string ProcessName = "MainProcess";

    public static string Format(DateTimeOffset localTime, LogLevel level, string message, Exception? exception)
    {
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"[{localTime:yyyy-MM-dd HH:mm:ss},{localTime.Millisecond:000}: {LevelName(level)}/{ProcessName} {message}");
        return exception is null ? line : line + "\n" + exception;
    }

    public static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARNING",
        LogLevel.Error => "ERROR",
        _ => "CRITICAL",
    };
}
