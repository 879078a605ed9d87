using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Results;

/// <summary>Every log line of the result store. Endpoints are always the redacted URL (no password).</summary>
internal static partial class ResultStoreLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning,
        Message = "Result backend {Endpoint} failed ({Reason}); retrying {Count} result(s) in {Delay} (attempt {Attempt} of {MaxAttempts})")]
    public static partial void WriteRetrying(ILogger logger, string endpoint, string reason, int count, TimeSpan delay, int attempt, int maxAttempts);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error,
        Message = "Result backend {Endpoint} failed ({Reason}); gave up on {Count} result(s) after {Attempts} attempt(s)")]
    public static partial void WriteGaveUp(ILogger logger, string endpoint, string reason, int count, int attempts);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Error,
        Message = "Result backend {Endpoint} rejected the result of task {TaskId}: {Reason}")]
    public static partial void WriteRejected(ILogger logger, string endpoint, string taskId, string reason);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Information,
        Message = "Result backend {Endpoint} is reachable again after {Attempts} attempt(s)")]
    public static partial void WriteRecovered(ILogger logger, string endpoint, int attempts);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning,
        Message = "result_extended is on but table celery_taskmeta at {Endpoint} has no name/args/kwargs/worker/retries/queue columns (the Cadasta platform's table); those values are not stored")]
    public static partial void ExtendedColumnsMissing(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Warning,
        Message = "Result backend {Endpoint} read failed ({Reason}); retrying in {Delay} (attempt {Attempt} of {MaxAttempts})")]
    public static partial void ReadRetrying(ILogger logger, string endpoint, string reason, TimeSpan delay, int attempt, int maxAttempts);
}
