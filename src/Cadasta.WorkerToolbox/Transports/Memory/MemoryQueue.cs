namespace Cadasta.WorkerToolbox.Transports.Memory;

/// <summary>One FIFO queue of a <see cref="MemoryBroker"/>; only touched under the broker's lock.</summary>
internal sealed class MemoryQueue(string name)
{
    private readonly LinkedList<QueuedMessage> _ready = new();

    public string Name { get; } = name;

    public int ReadyCount => _ready.Count;

    public void Enqueue(QueuedMessage message) => _ready.AddLast(message);

    /// <summary>Puts a returned message first, so it is the next one delivered (as RabbitMQ and kombu's memory transport do).</summary>
    public void ReturnToFront(QueuedMessage message) => _ready.AddFirst(message);

    public bool TryDequeue(out QueuedMessage message)
    {
        if (_ready.First is { } first)
        {
            _ready.RemoveFirst();
            message = first.Value;
            return true;
        }

        message = null!;
        return false;
    }
}
