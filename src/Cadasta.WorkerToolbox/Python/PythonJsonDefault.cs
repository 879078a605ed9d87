namespace Cadasta.WorkerToolbox.Python;

/// <summary>
/// How <see cref="PythonJson"/> treats values JSON has no form for: <see cref="Default"/> is
/// <c>json.dumps</c>' <c>default</c> hook (return a JSON-able replacement, or the value itself to
/// write a dictionary or sequence as it is), <see cref="Refuse"/> makes the exception for what
/// cannot be written.
/// </summary>
internal sealed record PythonJsonDefault(Func<object, object?> Default, Func<string, Exception> Refuse)
{
    /// <summary>Plain JSON-like values only (null, bool, numbers, strings, lists, dictionaries); anything else is an <see cref="ArgumentException"/>.</summary>
    public static PythonJsonDefault JsonLikeOnly { get; } = new(value => value, message => new ArgumentException(
        message + " Use null, bool, long, double, string, lists or string-keyed dictionaries.", "value"));
}
