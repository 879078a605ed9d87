using System.Net;

namespace Cadasta.WorkerToolbox.Protocol;

/// <summary>Who sends the messages: the <c>origin</c> header and the <c>reply_to</c> property.</summary>
/// <param name="Origin">Celery's <c>anon_nodename()</c>: <c>gen&lt;pid&gt;@&lt;hostname&gt;</c>.</param>
/// <param name="ReplyTo">Celery's per-app id (only its RPC result backend reads it); UUID-shaped.</param>
public sealed record ProducerIdentity(string Origin, string ReplyTo)
{
    /// <summary>
    /// The identity of this process, as Celery builds it: <c>gen&lt;pid&gt;@&lt;hostname&gt;</c> and a fresh UUID
    /// (Celery derives its <c>reply_to</c> from node, pid, thread and app; no peer reads it back).
    /// </summary>
    public static ProducerIdentity ForCurrentProcess() =>
        new($"gen{Environment.ProcessId}@{Dns.GetHostName()}", Guid.NewGuid().ToString("D"));
}
