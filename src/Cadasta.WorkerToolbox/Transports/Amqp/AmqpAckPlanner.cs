namespace Cadasta.WorkerToolbox.Transports.Amqp;

/// <summary>
/// Decides how the acks waiting on one channel go out: as one <c>basic.ack</c> with
/// <c>multiple=true</c> where that is safe, else one by one. <c>multiple=true</c> with tag T acks every
/// delivery with a tag up to T that the broker still counts as unacknowledged, so it is used only for the
/// acks below the lowest tag that is still unsettled (delivered, and neither acked nor rejected yet; a
/// reject counts as unsettled until its frame is sent). Acks above that tag go out one by one at once:
/// holding them back behind a long-running task would keep the prefetch window full.
/// Not thread-safe: the consumer calls it under its own lock.
/// </summary>
internal sealed class AmqpAckPlanner
{
    private readonly SortedSet<ulong> _unsettled = [];
    private readonly List<ulong> _acks = [];

    /// <summary>Acks waiting to be sent.</summary>
    public int Waiting => _acks.Count;

    /// <summary>A delivery arrived on the channel.</summary>
    public void Delivered(ulong tag) => _unsettled.Add(tag);

    /// <summary>A delivery was rejected and its frame sent: it no longer blocks a multiple ack.</summary>
    public void Rejected(ulong tag) => _unsettled.Remove(tag);

    /// <summary>A delivery is to be acknowledged.</summary>
    public void Ack(ulong tag)
    {
        _unsettled.Remove(tag);
        _acks.Add(tag);
    }

    /// <summary>The channel closed: every delivery of it is void (the broker requeued them).</summary>
    public void Reset()
    {
        _unsettled.Clear();
        _acks.Clear();
    }

    /// <summary>Takes every waiting ack as the frames to send: (tag, multiple), in tag order.</summary>
    public List<(ulong Tag, bool Multiple)> TakeFrames()
    {
        var frames = new List<(ulong Tag, bool Multiple)>();
        if (_acks.Count == 0)
        {
            return frames;
        }

        _acks.Sort();
        var lowestUnsettled = _unsettled.Count == 0 ? ulong.MaxValue : _unsettled.Min;
        var below = 0;
        while (below < _acks.Count && _acks[below] < lowestUnsettled)
        {
            below++;
        }

        if (below > 0)
        {
            frames.Add((_acks[below - 1], below > 1));
        }

        for (var i = below; i < _acks.Count; i++)
        {
            frames.Add((_acks[i], false));
        }

        _acks.Clear();
        return frames;
    }
}
