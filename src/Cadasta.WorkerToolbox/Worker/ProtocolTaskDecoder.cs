using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>The worker's decoder: the protocol codec (JSON only, never pickle).</summary>
internal sealed class ProtocolTaskDecoder : ITaskDecoder
{
    public TaskInvocation Decode(TransportMessage message)
    {
        var decoded = TaskMessageCodec.Decode(message);
        return decoded.IsSuccess
            ? TaskMessageMapping.ToInvocation(decoded.Message)
            : throw new FormatException(decoded.Error.ToString());
    }
}
