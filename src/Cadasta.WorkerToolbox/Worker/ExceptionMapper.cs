using System.Globalization;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// Turns a .NET exception into the exception Celery stores. Exceptions whose meaning equals a
/// Python built-in take its name (so Python code can catch them as usual); any other keeps its
/// .NET type name with its namespace as module, which Python rebuilds as a synthetic class of
/// that name (<c>backends/base.py exception_to_python</c>).
/// </summary>
internal static class ExceptionMapper
{
    public static ExceptionInfo Map(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var (type, module, arguments) = Name(exception);
        return new ExceptionInfo(type, module, arguments, Traceback(exception, type, module, arguments));
    }

    private static (string Type, string Module, IReadOnlyList<object?> Arguments) Name(Exception exception)
    {
        if (exception is PythonException named)
        {
            return (named.ExceptionType, named.ExceptionModule, named.Arguments);
        }

        var message = exception switch
        {
            // KeyError's argument is the key; .NET only says it in the message.
            ArgumentException argument when argument.ParamName is not null => StripParameterSuffix(argument),
            _ => exception.Message,
        };
        var builtin = exception switch
        {
            ArgumentException => "ValueError",
            KeyNotFoundException => "KeyError",
            NotImplementedException => "NotImplementedError",
            TimeoutException => "TimeoutError",
            DivideByZeroException => "ZeroDivisionError",
            OverflowException => "OverflowError",
            IndexOutOfRangeException => "IndexError",
            FileNotFoundException => "FileNotFoundError",
            UnauthorizedAccessException => "PermissionError",
            FormatException => "ValueError",
            _ => null,
        };
        if (builtin is not null)
        {
            return (builtin, "builtins", [message]);
        }

        var clrType = exception.GetType();
        var typeName = (clrType.FullName ?? clrType.Name);
        if (clrType.Namespace is { Length: > 0 } ns && typeName.StartsWith(ns + ".", StringComparison.Ordinal))
        {
            typeName = typeName[(ns.Length + 1)..];
        }

        // Nested types: Python walks a dotted exc_type as a qualified name.
        return (typeName.Replace('+', '.'), clrType.Namespace ?? string.Empty, [message]);
    }

    private static string StripParameterSuffix(ArgumentException exception)
    {
        var suffix = string.Create(CultureInfo.InvariantCulture, $" (Parameter '{exception.ParamName}')");
        var message = exception.Message;
        return message.EndsWith(suffix, StringComparison.Ordinal) ? message[..^suffix.Length] : message;
    }

    private static string Traceback(Exception exception, string type, string module, IReadOnlyList<object?> arguments)
    {
        var summary = new ExceptionInfo(type, module, arguments, string.Empty).Summary;
        var stack = exception.StackTrace;
        return "Traceback (most recent call last):\n"
            + (string.IsNullOrEmpty(stack) ? string.Empty : stack.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n")
            + summary + "\n";
    }
}
