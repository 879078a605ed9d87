using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>Reads a task message's positional and keyword arguments (the protocol codec's job).</summary>
internal interface ITaskArgumentsReader
{
    /// <exception cref="MalformedTaskMessageException">The message is not a decodable task message.</exception>
    TaskArguments Read(TransportMessage message);
}

/// <summary>The arguments of one task message.</summary>
internal sealed record TaskArguments(IReadOnlyList<object?> Args, IReadOnlyDictionary<string, object?> Kwargs);
