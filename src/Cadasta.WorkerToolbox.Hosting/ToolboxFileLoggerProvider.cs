using Cadasta.WorkerToolbox.Configuration;
using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Hosting;

/// <summary>
/// The Python toolbox's <c>SETUP_FILE_LOGGING</c> files: <c>app.info.log</c> at INFO and
/// <c>app.error.log</c> at ERROR, each rotating at 5 MiB with 2 backups, in the toolbox's format.
/// When file logging is off, its loggers are disabled and no file is created.
/// </summary>
internal sealed class ToolboxFileLoggerProvider : ILoggerProvider
{
    public const long MaxBytes = 5 * 1024 * 1024;
    public const int BackupCount = 2;
    public const string InfoFileName = "app.info.log";
    public const string ErrorFileName = "app.error.log";

    private readonly RotatingLogFile? _info;
    private readonly RotatingLogFile? _error;
    private readonly TimeProvider _time;

    public ToolboxFileLoggerProvider(string? directory, TimeProvider time, long maxBytes = MaxBytes, int backupCount = BackupCount)
        : this(enabled: true, directory, time, maxBytes, backupCount)
    {
    }

    private ToolboxFileLoggerProvider(bool enabled, string? directory, TimeProvider time, long maxBytes, int backupCount)
    {
        _time = time;
        if (enabled)
        {
            var folder = directory ?? Directory.GetCurrentDirectory();
            Directory.CreateDirectory(folder);
            _info = new RotatingLogFile(Path.Combine(folder, InfoFileName), maxBytes, backupCount);
            _error = new RotatingLogFile(Path.Combine(folder, ErrorFileName), maxBytes, backupCount);
        }
    }

    public bool Enabled => _info is not null;

    public static ToolboxFileLoggerProvider FromConfig(Config config, string? directory, TimeProvider time) =>
        new(config.SetupFileLogging, directory, time, MaxBytes, BackupCount);

    public ILogger CreateLogger(string categoryName) => new FileLogger(this);

    public void Dispose()
    {
        _info?.Dispose();
        _error?.Dispose();
    }

    private void Write(LogLevel level, string message, Exception? exception)
    {
        if (_info is null || _error is null || level < LogLevel.Information)
        {
            return;
        }

        var line = ToolboxLogFormat.Format(_time.GetLocalNow(), level, message, exception);
        _info.WriteLine(line);
        if (level >= LogLevel.Error)
        {
            _error.WriteLine(line);
        }
    }

    private sealed class FileLogger(ToolboxFileLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => provider.Enabled && logLevel >= LogLevel.Information && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, formatter(state, exception), exception);
            }
        }
    }
}
