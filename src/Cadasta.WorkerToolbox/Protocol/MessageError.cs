namespace Cadasta.WorkerToolbox.Protocol;

/// <summary>Why a message was rejected: a code to branch on and a text that says exactly what is wrong.</summary>
/// <param name="Code">The kind of problem.</param>
/// <param name="Text">What is wrong, naming the field and what was found.</param>
public sealed record MessageError(MessageErrorCode Code, string Text)
{
    /// <inheritdoc />
    public override string ToString() => $"{Code}: {Text}";
}
