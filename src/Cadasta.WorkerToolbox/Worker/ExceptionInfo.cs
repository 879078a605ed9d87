namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// A task failure as Celery stores it: the exception dict
/// <c>{exc_type, exc_message, exc_module}</c> plus a Python-style traceback text.
/// </summary>
/// <param name="Type">The Python exception class name.</param>
/// <param name="Module">The Python module of the class.</param>
/// <param name="Arguments">The exception's arguments (Python's <c>exc.args</c>).</param>
/// <param name="Traceback">The traceback text stored next to the result.</param>
internal sealed record ExceptionInfo(string Type, string Module, IReadOnlyList<object?> Arguments, string Traceback)
{
    /// <summary>The dict Celery's <c>encode_result</c> writes for an exception.</summary>
    public Dictionary<string, object?> ToResult() => new()
    {
        ["exc_type"] = Type,
        ["exc_message"] = new List<object?>(Arguments),
        ["exc_module"] = Module,
    };

    /// <summary>The last traceback line Python prints: <c>ValueError: boom</c>.</summary>
    public string Summary
    {
        get
        {
            var qualified = Module is "builtins" or "" ? Type : $"{Module}.{Type}";
            var text = Arguments switch
            {
                [] => string.Empty,
                [var single] => single?.ToString() ?? "None",
                _ => "(" + string.Join(", ", Arguments.Select(a => a is string s ? $"'{s}'" : a?.ToString() ?? "None")) + ")",
            };
            return text.Length == 0 ? qualified : $"{qualified}: {text}";
        }
    }
}
