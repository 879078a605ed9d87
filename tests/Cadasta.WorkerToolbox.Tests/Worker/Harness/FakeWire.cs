using System.Collections.Concurrent;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Worker;

namespace Cadasta.WorkerToolbox.Tests.Worker.Harness;

/// <summary>
/// Stand-in for the protocol codec and planner until they are merged: a message carries the
/// <see cref="TaskInvocation"/> object itself; a signature dict becomes one invocation per task
/// (plain tasks and groups only). Every sent invocation is recorded.
/// </summary>
internal sealed class FakeWire(FakeBroker broker) : ITaskDecoder, ITaskSender
{
    public ConcurrentQueue<TaskInvocation> Sent { get; } = new();

    public static TransportMessage Encode(TaskInvocation task) => new()
    {
        Body = Array.Empty<byte>(),
        Headers = new Dictionary<string, object?> { ["id"] = task.Id, ["task"] = task.Name, ["invocation"] = task },
    };

    public TaskInvocation Decode(TransportMessage message) =>
        message.Headers.GetValueOrDefault("invocation") as TaskInvocation ?? throw new FormatException("not a task message (no 'invocation')");

    public async Task<string> SendSignatureAsync(IReadOnlyDictionary<string, object?> signature, FollowupSend send, CancellationToken cancellationToken)
    {
        var kwargs = (IReadOnlyDictionary<string, object?>)signature["kwargs"]!;
        if (Signatures.IsGroup(signature))
        {
            var id = "";
            foreach (var member in (IReadOnlyList<object?>)kwargs["tasks"]!)
            {
                id = await SendSignatureAsync((IReadOnlyDictionary<string, object?>)member!, send, cancellationToken);
            }

            return id;
        }

        var options = Signatures.Options(signature);
        var args = (IReadOnlyList<object?>)signature["args"]!;
        if (send.PrependArgs is not null && signature.GetValueOrDefault("immutable") is not true)
        {
            args = [.. send.PrependArgs, .. args];
        }

        var task = new TaskInvocation
        {
            Id = options.GetValueOrDefault("task_id") as string ?? Guid.NewGuid().ToString(),
            Name = (string)signature["task"]!,
            Args = args,
            Kwargs = kwargs,
            Callbacks = Signatures.SignatureList(options.GetValueOrDefault("link")),
            Errbacks = Signatures.SignatureList(options.GetValueOrDefault("link_error")),
            Chain = send.Chain,
            ParentId = send.ParentId,
            RootId = send.RootId,
            Properties = options.Where(o => o.Key == "is_result").ToDictionary(),
        };
        await SendMessageAsync(task, cancellationToken);
        return task.Id;
    }

    public async Task SendMessageAsync(TaskInvocation message, CancellationToken cancellationToken)
    {
        Sent.Enqueue(message);
        var dot = message.Name.IndexOf('.', StringComparison.Ordinal);
        await broker.PublishAsync("task_exchange", dot < 0 ? message.Name : message.Name[..dot], Encode(message), cancellationToken);
    }
}
