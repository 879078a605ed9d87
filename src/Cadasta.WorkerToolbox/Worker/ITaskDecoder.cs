using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>Decodes a received message into a task (the protocol codec); throws on anything it cannot read.</summary>
internal interface ITaskDecoder
{
    TaskInvocation Decode(TransportMessage message);
}
