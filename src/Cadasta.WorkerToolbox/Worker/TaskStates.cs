namespace Cadasta.WorkerToolbox.Worker;

/// <summary>Celery's task states (<c>celery/states.py</c>).</summary>
internal static class TaskStates
{
    public const string Pending = "PENDING";
    public const string Started = "STARTED";
    public const string Success = "SUCCESS";
    public const string Failure = "FAILURE";
    public const string Retry = "RETRY";
    public const string Revoked = "REVOKED";

    public static bool IsReady(string state) => state is Success or Failure or Revoked;
}
