using System.Diagnostics.CodeAnalysis;

namespace Cadasta.WorkerToolbox.Protocol;

/// <summary>The outcome of decoding: either a <see cref="TaskMessage"/> or a <see cref="MessageError"/>.</summary>
public sealed class TaskMessageDecodeResult
{
    private TaskMessageDecodeResult(TaskMessage? message, MessageError? error)
    {
        Message = message;
        Error = error;
    }

    /// <summary>The decoded message, when <see cref="IsSuccess"/>.</summary>
    public TaskMessage? Message { get; }

    /// <summary>Why decoding failed, when not <see cref="IsSuccess"/>.</summary>
    public MessageError? Error { get; }

    /// <summary>Whether the message is a task.</summary>
    [MemberNotNullWhen(true, nameof(Message))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Message is not null;

    internal static TaskMessageDecodeResult Success(TaskMessage message) => new(message, null);

    internal static TaskMessageDecodeResult Failure(MessageErrorCode code, string text) => new(null, new MessageError(code, text));

    /// <inheritdoc />
    public override string ToString() => IsSuccess ? $"task {Message.Task}[{Message.Id}]" : Error.ToString();
}
