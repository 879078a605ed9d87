namespace Cadasta.WorkerToolbox.Transports.Amqp;

/// <summary>
/// The AMQP broker could not be reached, or did not confirm a published message (it refused it,
/// or the connection stayed down longer than the transport waits). Never holds the broker password.
/// </summary>
public sealed class AmqpTransportException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AmqpTransportException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public AmqpTransportException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public AmqpTransportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
