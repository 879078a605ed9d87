using Cadasta.WorkerToolbox.Results;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>The worker's view of an <see cref="IResultStore"/>.</summary>
internal sealed class ResultStoreBackend(IResultStore store) : IResultBackend
{
    /// <summary>The database store writes one task's rows in call order (one write loop); other stores may not.</summary>
    public bool KeepsWriteOrder => store is DatabaseResultStore;

    public Task StoreAsync(string taskId, string state, object? value, ExceptionInfo? error, CancellationToken cancellationToken) =>
        store.StoreAsync(
            new TaskResult
            {
                TaskId = taskId,
                State = state,
                Value = error is null ? value : null,
                Error = error is null ? null : new TaskError(error.Type, error.Module, error.Arguments),
                Traceback = error?.Traceback is { Length: > 0 } traceback ? traceback : null,
            },
            cancellationToken);

    public async Task<StoredState> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        var result = await store.ReadAsync(taskId, cancellationToken).ConfigureAwait(false);
        if (result is null)
        {
            return new StoredState(TaskStates.Pending, null, null);
        }

        var error = result.Error is { } e ? new ExceptionInfo(e.ExceptionType, e.ExceptionModule, e.Arguments, result.Traceback ?? string.Empty) : null;
        return new StoredState(result.State, result.Value, error);
    }
}
