namespace Cadasta.WorkerToolbox.Results;

/// <summary>Celery's task state names (celery/states.py) and the groups Celery derives from them.</summary>
public static class TaskStates
{
    /// <summary>No row for the task id yet: unknown or waiting.</summary>
    public const string Pending = "PENDING";

    /// <summary>Received by a worker (never stored by the database backend).</summary>
    public const string Received = "RECEIVED";

    /// <summary>Started by a worker (stored when <c>task_track_started</c> is on).</summary>
    public const string Started = "STARTED";

    /// <summary>Finished and returned a value.</summary>
    public const string Success = "SUCCESS";

    /// <summary>Finished by raising an exception.</summary>
    public const string Failure = "FAILURE";

    /// <summary>Raised and scheduled again.</summary>
    public const string Retry = "RETRY";

    /// <summary>Revoked or expired before it ran.</summary>
    public const string Revoked = "REVOKED";

    /// <summary>True for the states after which nothing more happens: SUCCESS, FAILURE, REVOKED.</summary>
    /// <param name="state">A state name.</param>
    public static bool IsReady(string state) => state is Success or Failure or Revoked;

    /// <summary>True for the states whose stored result is an exception: FAILURE, RETRY, REVOKED.</summary>
    /// <param name="state">A state name.</param>
    public static bool IsException(string state) => state is Failure or Retry or Revoked;

    /// <summary>True for the states that <c>get</c> turns into an exception: FAILURE, REVOKED.</summary>
    /// <param name="state">A state name.</param>
    public static bool Propagates(string state) => state is Failure or Revoked;
}
