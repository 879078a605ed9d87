using Cadasta.WorkerToolbox.Python;

namespace Cadasta.WorkerToolbox.Results;

/// <summary>
/// An exception as Celery stores it in the result table: the dict
/// <c>{'exc_type': ..., 'exc_message': (args...), 'exc_module': ...}</c>.
/// </summary>
/// <param name="ExceptionType">Python class name (<c>__qualname__</c>), e.g. <c>ValueError</c>.</param>
/// <param name="ExceptionModule">Python module of the class, e.g. <c>builtins</c>.</param>
/// <param name="Arguments">The exception's <c>args</c> tuple as JSON-like values.</param>
public sealed record TaskError(string ExceptionType, string ExceptionModule, IReadOnlyList<object?> Arguments)
{
    /// <summary>What Python's <c>str(exc)</c> shows: the single argument, or the repr of the argument tuple.</summary>
    public string Message => Arguments.Count switch
    {
        0 => string.Empty,
        1 => PythonRepr.Str(Arguments[0]),
        _ => PythonRepr.Repr(new PythonTuple(Arguments)),
    };

    /// <summary>
    /// Describes a .NET exception for Python readers: the type name as <c>exc_type</c>, its namespace as
    /// <c>exc_module</c> (Celery builds a stand-in class when the module does not exist in Python) and the
    /// message as the only argument.
    /// </summary>
    /// <param name="exception">The exception a task raised.</param>
    public static TaskError FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var type = exception.GetType();
        return new TaskError(type.Name, type.Namespace ?? "builtins", [exception.Message]);
    }

    /// <inheritdoc />
    public bool Equals(TaskError? other) =>
        other is not null
        && ExceptionType == other.ExceptionType
        && ExceptionModule == other.ExceptionModule
        && JsonLikeEquality.ListEquals(Arguments, other.Arguments);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ExceptionType, ExceptionModule, Arguments.Count);
}
