using System.Collections.Concurrent;

namespace Cadasta.WorkerToolbox.Tests.Worker.Harness;

/// <summary>One ordered record of what the worker did to the broker and the result store ("store SUCCESS id", "ack id"...).</summary>
internal sealed class EventLog
{
    private readonly ConcurrentQueue<string> _events = new();

    public void Add(string entry) => _events.Enqueue(entry);

    public IReadOnlyList<string> Entries => [.. _events];

    public IReadOnlyList<string> About(string taskId) => [.. _events.Where(e => e.EndsWith(" " + taskId, StringComparison.Ordinal))];
}
