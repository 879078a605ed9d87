using System.Collections.Concurrent;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.Worker;

namespace Cadasta.WorkerToolbox.Tests.Worker.Harness;

/// <summary>
/// A result backend whose writes wait on a gate per state (open by default) and may fail on demand.
/// Logs "issue STATE id" when the worker calls it and "store STATE id" when the write completes
/// (committed); keeps the last committed state of each task as the row.
/// </summary>
internal sealed class GatedResultBackend(EventLog log, bool keepsWriteOrder = false) : IResultBackend
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, string> Rows { get; } = new(StringComparer.Ordinal);

    public bool KeepsWriteOrder => keepsWriteOrder;

    /// <summary>Decides per write whether it fails (after its gate opened); null lets it pass.</summary>
    public Func<string, string, Exception?> FailWith { get; set; } = (_, _) => null;

    public int Issued(string state) => log.Entries.Count(e => e.StartsWith($"issue {state} ", StringComparison.Ordinal));

    public int Stored(string state) => log.Entries.Count(e => e.StartsWith($"store {state} ", StringComparison.Ordinal));

    /// <summary>From now on, writes of <paramref name="state"/> wait until <see cref="Open"/>.</summary>
    public void Close(string state) => _gates[state] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open(string state)
    {
        if (_gates.TryRemove(state, out var gate))
        {
            gate.TrySetResult();
        }
    }

    public async Task StoreAsync(string taskId, string state, object? value, ExceptionInfo? error, CancellationToken cancellationToken)
    {
        log.Add($"issue {state} {taskId}");
        if (_gates.TryGetValue(state, out var gate))
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (FailWith(taskId, state) is { } failure)
        {
            log.Add($"failed {state} {taskId}");
            throw failure;
        }

        Rows[taskId] = state;
        log.Add($"store {state} {taskId}");
    }

    public Task<StoredState> GetAsync(string taskId, CancellationToken cancellationToken) =>
        Task.FromResult(new StoredState(Rows.GetValueOrDefault(taskId, TaskStates.Pending), null, null));
}
