namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>A message on the platform queue cannot be recorded as a task; the reason is the message text.</summary>
internal sealed class MalformedTaskMessageException : Exception
{
    public MalformedTaskMessageException()
    {
    }

    public MalformedTaskMessageException(string message)
        : base(message)
    {
    }

    public MalformedTaskMessageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
