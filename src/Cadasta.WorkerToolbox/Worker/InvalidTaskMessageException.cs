using Cadasta.WorkerToolbox.Protocol;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>A received message that is not a task the worker can run, with the codec's reason.</summary>
internal sealed class InvalidTaskMessageException(MessageErrorCode code, string message) : FormatException(message)
{
    public MessageErrorCode Code { get; } = code;

    /// <summary>The content itself was refused (pickle, another content type or encoding), not its shape.</summary>
    public bool IsContentRefused => Code is MessageErrorCode.PickleRefused or MessageErrorCode.ContentTypeNotAccepted or MessageErrorCode.ContentEncodingNotSupported;
}
