using Cadasta.WorkerToolbox.Protocol;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>Converts between the protocol's <see cref="TaskMessage"/> and the worker's <see cref="TaskInvocation"/>.</summary>
internal static class TaskMessageMapping
{
    public static TaskInvocation ToInvocation(TaskMessage message) => new()
    {
        Id = message.Id,
        Name = message.Task,
        Args = message.Args,
        Kwargs = message.Kwargs,
        Callbacks = Dicts(message.Callbacks),
        Errbacks = Dicts(message.Errbacks),
        Chain = Dicts(message.Chain),
        Chord = message.Chord?.ToDictionary(),
        Eta = message.Eta,
        Expires = message.Expires,
        Retries = (int)Math.Clamp(message.Retries, 0, int.MaxValue),
        HardTimeLimit = message.TimeLimit is { } hard ? TimeSpan.FromSeconds(hard) : null,
        SoftTimeLimit = message.SoftTimeLimit is { } soft ? TimeSpan.FromSeconds(soft) : null,
        RootId = message.RootId,
        ParentId = message.ParentId,
        Group = message.GroupId,
        GroupIndex = message.GroupIndex is { } index ? (int)index : null,
        IgnoreResult = message.IgnoreResult,
        Properties = message.CustomProperties,
    };

    /// <summary>The message of a retry: the original's fields, as Celery's <c>signature_from_request</c> keeps them.</summary>
    public static TaskMessage ToMessage(TaskInvocation task, ProducerIdentity identity) => new()
    {
        Task = task.Name,
        Id = task.Id,
        Args = task.Args,
        Kwargs = task.Kwargs,
        Eta = task.Eta,
        Expires = task.Expires,
        GroupId = task.Group,
        GroupIndex = task.GroupIndex,
        Retries = task.Retries,
        TimeLimit = task.HardTimeLimit?.TotalSeconds,
        SoftTimeLimit = task.SoftTimeLimit?.TotalSeconds,
        RootId = task.RootId ?? task.Id,
        ParentId = task.ParentId,
        Origin = identity.Origin,
        IgnoreResult = task.IgnoreResult ?? false,
        Callbacks = Signatures(task.Callbacks),
        Errbacks = Signatures(task.Errbacks),
        Chain = Signatures(task.Chain),
        Chord = task.Chord is null ? null : Signature.FromDictionary(task.Chord),
        CorrelationId = task.Id,
        ReplyTo = identity.ReplyTo,
        Priority = 0,
        CustomProperties = task.Properties,
    };

    private static List<IReadOnlyDictionary<string, object?>>? Dicts(IReadOnlyList<Signature>? signatures) =>
        signatures?.Select(s => s.ToDictionary()).ToList();

    private static List<Signature>? Signatures(IReadOnlyList<IReadOnlyDictionary<string, object?>>? dicts) =>
        dicts?.Select(Signature.FromDictionary).ToList();
}
