namespace Cadasta.WorkerToolbox.Protocol;

/// <summary>
/// A value cannot be written into a Celery task message, because Celery's JSON serializer
/// (kombu 5.2) refuses the corresponding Python value (bytes, sets, timedeltas, other objects).
/// </summary>
public sealed class TaskEncodingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TaskEncodingException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What cannot be encoded and why.</param>
    public TaskEncodingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What cannot be encoded and why.</param>
    /// <param name="innerException">The cause.</param>
    public TaskEncodingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
