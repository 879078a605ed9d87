using Cadasta.WorkerToolbox.Protocol;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// The callbacks and errbacks a task took over from its request
/// (<see cref="TaskContext.ExtractFollowups"/>, the toolbox's <c>extract_followups</c>), ready to be
/// set as the <c>link</c> and <c>link_error</c> options of a later task.
/// </summary>
/// <param name="Link">The success callbacks, or null.</param>
/// <param name="LinkError">The error callbacks, or null.</param>
public sealed record TaskFollowups(IReadOnlyList<Signature>? Link, IReadOnlyList<Signature>? LinkError)
{
    /// <summary>
    /// <paramref name="signature"/> with these follow-ups as its <c>link</c> and <c>link_error</c>
    /// options, as <c>signature.set(**extract_followups(self))</c> in the toolbox.
    /// </summary>
    /// <param name="signature">The task that should carry the follow-ups.</param>
    public Signature ApplyTo(Signature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return signature
            .WithOption("link", Link?.Cast<object?>().ToList())
            .WithOption("link_error", LinkError?.Cast<object?>().ToList());
    }
}
