using System.Text;
using System.Text.Json;
using Cadasta.WorkerToolbox.Monitoring;
using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.Tests.Monitoring;

/// <summary>Stands in for the protocol codec until it is merged: reads <c>[args, kwargs, embed]</c> from a JSON body.</summary>
internal sealed class JsonBodyArgumentsReader : ITaskArgumentsReader
{
    public TaskArguments Read(TransportMessage message)
    {
        try
        {
            if (JsonColumn.Read(Encoding.UTF8.GetString(message.Body.Span)) is IReadOnlyList<object?> { Count: 3 } body
                && body[0] is IReadOnlyList<object?> args && body[1] is IReadOnlyDictionary<string, object?> kwargs)
            {
                return new TaskArguments(args, kwargs);
            }
        }
        catch (JsonException e)
        {
            throw new MalformedTaskMessageException("the body is not JSON", e);
        }

        throw new MalformedTaskMessageException("the body is not [args, kwargs, embed]");
    }
}
