namespace Cadasta.WorkerToolbox.Results;

/// <summary>The result database could not store or read a result (after retrying where that helps).</summary>
public sealed class ResultStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ResultStoreException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public ResultStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ResultStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
