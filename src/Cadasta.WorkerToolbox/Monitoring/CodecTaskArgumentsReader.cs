using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>Reads a message's arguments with the protocol codec; pickle and other content types are refused there.</summary>
internal sealed class CodecTaskArgumentsReader : ITaskArgumentsReader
{
    public static CodecTaskArgumentsReader Instance { get; } = new();

    public TaskArguments Read(TransportMessage message)
    {
        var decoded = TaskMessageCodec.Decode(message);
        if (!decoded.IsSuccess)
        {
            throw new MalformedTaskMessageException(decoded.Error.ToString());
        }

        return new TaskArguments(decoded.Message.Args, decoded.Message.Kwargs);
    }
}
