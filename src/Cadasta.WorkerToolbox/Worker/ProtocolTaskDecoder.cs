using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>The worker's decoder: the protocol codec (JSON only, never pickle).</summary>
internal sealed class ProtocolTaskDecoder : ITaskDecoder
{
    /// <summary>The longest time limit a message may ask for: timers take at most 2³² − 2 ms (about 49 days).</summary>
    private static readonly TimeSpan LongestTimeLimit = TimeSpan.FromMilliseconds(uint.MaxValue - 1.0);

    public TaskInvocation Decode(TransportMessage message)
    {
        var decoded = TaskMessageCodec.Decode(message);
        if (!decoded.IsSuccess)
        {
            throw new InvalidTaskMessageException(decoded.Error.Code, decoded.Error.ToString());
        }

        CheckTimeLimit(decoded.Message.TimeLimit, "hard");
        CheckTimeLimit(decoded.Message.SoftTimeLimit, "soft");
        return TaskMessageMapping.ToInvocation(decoded.Message);
    }

    // A negative, NaN or endless limit would fail later, inside the executor, leaving the task without an outcome.
    private static void CheckTimeLimit(double? seconds, string which)
    {
        if (seconds is { } value && !(value >= 0 && value <= LongestTimeLimit.TotalSeconds))
        {
            throw new InvalidTaskMessageException(MessageErrorCode.WrongFieldType,
                $"{MessageErrorCode.WrongFieldType}: Header 'timelimit' has a {which} limit of {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} s; it must be from 0 to {LongestTimeLimit.TotalSeconds:0} s.");
        }
    }
}
