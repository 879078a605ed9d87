namespace Cadasta.WorkerToolbox.Worker;

/// <summary>The exceptions Celery itself raises, under the names and modules Python knows them by.</summary>
internal static class CeleryErrors
{
    private const string CeleryModule = "celery.exceptions";
    private const string BilliardModule = "billiard.exceptions";

    /// <summary>A task name no registered task has (<c>NotRegistered('name')</c>).</summary>
    public static PythonException NotRegistered(string taskName) => new("NotRegistered", CeleryModule, [taskName]);

    /// <summary>A task whose <c>expires</c> passed before it ran.</summary>
    public static PythonException Expired() => new("TaskRevokedError", CeleryModule, ["expired"]);

    /// <summary>The hard time limit ended the task (<c>TimeLimitExceeded(hard)</c>).</summary>
    public static PythonException TimeLimitExceeded(TimeSpan hardLimit) => new("TimeLimitExceeded", BilliardModule, [Seconds(hardLimit)]);

    /// <summary>The task gave up after its soft time limit cancelled it.</summary>
    public static PythonException SoftTimeLimitExceeded() => new("SoftTimeLimitExceeded", BilliardModule, []);

    /// <summary>A retry past <c>max_retries</c> without an exception to re-raise.</summary>
    public static PythonException MaxRetriesExceeded(string message) => new("MaxRetriesExceededError", CeleryModule, [message]);

    /// <summary>A chord header task failed, so the body cannot run.</summary>
    public static PythonException ChordError(string reason) => new("ChordError", CeleryModule, [reason]);

    /// <summary>Arguments that do not fit the task's parameters, in Python's wording.</summary>
    public static PythonException TypeError(string message) => new("TypeError", message);

    private static double Seconds(TimeSpan span) => span.TotalSeconds;
}
