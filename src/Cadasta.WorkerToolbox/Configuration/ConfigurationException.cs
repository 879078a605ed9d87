namespace Cadasta.WorkerToolbox.Configuration;

/// <summary>
/// A setting cannot be used: an environment value that is not a Python literal of the expected
/// type, a value of the wrong type given in code, or a <c>result_backend</c> template that cannot
/// be rendered. The message names the variable, the value (passwords masked) and the expected type.
/// </summary>
public sealed class ConfigurationException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public ConfigurationException()
        : base("The configuration is invalid.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong, passwords masked.</param>
    public ConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What is wrong, passwords masked.</param>
    /// <param name="innerException">The cause.</param>
    public ConfigurationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for one setting or environment variable.</summary>
    /// <param name="message">What is wrong, passwords masked.</param>
    /// <param name="name">The environment variable or setting at fault, for example <c>CELERY_QUEUES</c>.</param>
    /// <param name="expectedType">The Python type expected, for example <c>tuple of str</c>, when the type is at fault.</param>
    /// <param name="innerException">The cause, if any.</param>
    public ConfigurationException(string message, string? name, string? expectedType, Exception? innerException = null)
        : base(message, innerException)
    {
        Name = name;
        ExpectedType = expectedType;
    }

    /// <summary>The environment variable or setting at fault, for example <c>CELERY_QUEUES</c>, if one is.</summary>
    public string? Name { get; }

    /// <summary>The Python type expected, for example <c>tuple of str</c>, when the value's type is at fault.</summary>
    public string? ExpectedType { get; }
}
