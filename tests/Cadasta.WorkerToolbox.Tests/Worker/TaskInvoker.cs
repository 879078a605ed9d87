using Cadasta.WorkerToolbox.Worker;

namespace Cadasta.WorkerToolbox.Tests.Worker;

/// <summary>Calls a registered task directly, as the worker would, without a broker.</summary>
internal static class TaskInvoker
{
    public static Task<object?> InvokeAsync(
        TaskRegistry registry,
        string name,
        IReadOnlyList<object?>? args = null,
        IReadOnlyDictionary<string, object?>? kwargs = null,
        int retries = 0,
        CancellationToken cancellationToken = default)
    {
        var definition = registry.Find(name) ?? throw new InvalidOperationException($"no task {name}");
        var context = Context(name, args, kwargs, retries, definition.Settings);
        return definition.InvokeAsync(context, cancellationToken);
    }

    public static TaskContext Context(
        string name,
        IReadOnlyList<object?>? args = null,
        IReadOnlyDictionary<string, object?>? kwargs = null,
        int retries = 0,
        TaskSettings? settings = null,
        IReadOnlyList<IReadOnlyDictionary<string, object?>>? callbacks = null,
        IReadOnlyList<IReadOnlyDictionary<string, object?>>? errbacks = null)
    {
        var message = new TaskInvocation
        {
            Id = "11111111-2222-3333-4444-555555555555",
            Name = name,
            Args = args ?? [],
            Kwargs = kwargs ?? new Dictionary<string, object?>(),
            Retries = retries,
            Callbacks = callbacks,
            Errbacks = errbacks,
        };
        return new TaskContext(message, settings ?? TaskSettings.Default, new NoSender(), "celery@test", new Dictionary<string, object?>());
    }

    private sealed class NoSender : ITaskSender
    {
        public Task<string> SendSignatureAsync(IReadOnlyDictionary<string, object?> signature, FollowupSend send, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("this test sends nothing");

        public Task SendMessageAsync(TaskInvocation message, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("this test sends nothing");
    }
}
