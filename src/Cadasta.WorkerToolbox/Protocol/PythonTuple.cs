namespace Cadasta.WorkerToolbox.Protocol;

/// <summary>
/// A Python tuple inside a message value: JSON writes it as an array (as kombu does), but the
/// Python repr in <c>argsrepr</c>/<c>kwargsrepr</c> prints it with parentheses, e.g. the
/// <c>[[id, null], null]</c> entries of <c>celery.chord_unlock</c> print as <c>((...), None)</c>.
/// </summary>
internal sealed class PythonTuple(IReadOnlyList<object?> items)
{
    public IReadOnlyList<object?> Items { get; } = items;
}
