namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// An error a task raises on purpose under a Python exception name, so that Python callers see
/// the exception they expect: <c>throw new PythonException("ValueError", "unknown output type")</c> is
/// stored as <c>{'exc_type': 'ValueError', 'exc_message': ('unknown output type',), 'exc_module': 'builtins'}</c>
/// and raised in Python as a <c>ValueError</c>.
/// </summary>
public class PythonException : Exception
{
    /// <summary>Creates a built-in Python error named <paramref name="exceptionType"/> with one message argument.</summary>
    /// <param name="exceptionType">The Python exception class name, for example <c>ValueError</c>.</param>
    /// <param name="message">The message (the exception's single argument).</param>
    public PythonException(string exceptionType, string message)
        : this(exceptionType, "builtins", message, [message])
    {
    }

    /// <summary>Creates an error named <paramref name="exceptionType"/> with several arguments (Python's <c>exc.args</c>).</summary>
    /// <param name="exceptionType">The Python exception class name.</param>
    /// <param name="exceptionModule">The Python module defining the class.</param>
    /// <param name="arguments">The exception's arguments: JSON-like values.</param>
    public PythonException(string exceptionType, string exceptionModule, IReadOnlyList<object?> arguments)
        : this(exceptionType, exceptionModule, Describe(arguments), arguments)
    {
    }

    /// <summary>Creates an error with the message only (needed by serializers and analyzers).</summary>
    public PythonException()
        : this("Exception", "builtins", string.Empty, [])
    {
    }

    /// <summary>Creates an error of type <c>Exception</c> with a message.</summary>
    /// <param name="message">The message.</param>
    public PythonException(string message)
        : this("Exception", message)
    {
    }

    /// <summary>Creates an error of type <c>Exception</c> wrapping another.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PythonException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExceptionType = "Exception";
        ExceptionModule = "builtins";
        Arguments = [message];
    }

    private PythonException(string exceptionType, string exceptionModule, string message, IReadOnlyList<object?> arguments)
        : base(message)
    {
        ArgumentException.ThrowIfNullOrEmpty(exceptionType);
        ArgumentNullException.ThrowIfNull(exceptionModule);
        ExceptionType = exceptionType;
        ExceptionModule = exceptionModule;
        Arguments = arguments;
    }

    /// <summary>The Python exception class name (<c>exc_type</c>).</summary>
    public string ExceptionType { get; }

    /// <summary>The Python module of the class (<c>exc_module</c>).</summary>
    public string ExceptionModule { get; }

    /// <summary>The exception's arguments (<c>exc_message</c>, a tuple in Python).</summary>
    public IReadOnlyList<object?> Arguments { get; }

    private static string Describe(IReadOnlyList<object?> arguments) =>
        arguments is [string single] ? single : string.Join(", ", arguments.Select(a => a?.ToString() ?? "None"));
}
