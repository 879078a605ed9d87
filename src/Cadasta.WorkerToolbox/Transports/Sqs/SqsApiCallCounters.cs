namespace Cadasta.WorkerToolbox.Transports.Sqs;

/// <summary>
/// How many SQS API calls a transport made, by kind, and how many messages they moved: the
/// benchmark reports calls per task from these. Thread-safe; values only grow.
/// </summary>
internal sealed class SqsApiCallCounters
{
    private long _listQueues;
    private long _createQueue;
    private long _sendMessage;
    private long _receiveMessage;
    private long _deleteMessage;
    private long _deleteMessageBatch;
    private long _changeMessageVisibility;
    private long _changeMessageVisibilityBatch;
    private long _messagesReceived;
    private long _messagesDeleted;

    public long ListQueues => Interlocked.Read(ref _listQueues);

    public long CreateQueue => Interlocked.Read(ref _createQueue);

    public long SendMessage => Interlocked.Read(ref _sendMessage);

    public long ReceiveMessage => Interlocked.Read(ref _receiveMessage);

    public long DeleteMessage => Interlocked.Read(ref _deleteMessage);

    public long DeleteMessageBatch => Interlocked.Read(ref _deleteMessageBatch);

    public long ChangeMessageVisibility => Interlocked.Read(ref _changeMessageVisibility);

    public long ChangeMessageVisibilityBatch => Interlocked.Read(ref _changeMessageVisibilityBatch);

    /// <summary>Messages returned by all ReceiveMessage calls.</summary>
    public long MessagesReceived => Interlocked.Read(ref _messagesReceived);

    /// <summary>Messages deleted by DeleteMessage and DeleteMessageBatch.</summary>
    public long MessagesDeleted => Interlocked.Read(ref _messagesDeleted);

    /// <summary>Every API call made.</summary>
    public long Total => ListQueues + CreateQueue + SendMessage + ReceiveMessage + DeleteMessage
        + DeleteMessageBatch + ChangeMessageVisibility + ChangeMessageVisibilityBatch;

    /// <summary>All counters by name, for reports.</summary>
    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(StringComparer.Ordinal)
    {
        ["ListQueues"] = ListQueues,
        ["CreateQueue"] = CreateQueue,
        ["SendMessage"] = SendMessage,
        ["ReceiveMessage"] = ReceiveMessage,
        ["DeleteMessage"] = DeleteMessage,
        ["DeleteMessageBatch"] = DeleteMessageBatch,
        ["ChangeMessageVisibility"] = ChangeMessageVisibility,
        ["ChangeMessageVisibilityBatch"] = ChangeMessageVisibilityBatch,
        ["MessagesReceived"] = MessagesReceived,
        ["MessagesDeleted"] = MessagesDeleted,
    };

    public void CountListQueues() => Interlocked.Increment(ref _listQueues);

    public void CountCreateQueue() => Interlocked.Increment(ref _createQueue);

    public void CountSendMessage() => Interlocked.Increment(ref _sendMessage);

    public void CountReceiveMessage(int messages)
    {
        Interlocked.Increment(ref _receiveMessage);
        Interlocked.Add(ref _messagesReceived, messages);
    }

    public void CountDelete(int messages)
    {
        if (messages == 1)
        {
            Interlocked.Increment(ref _deleteMessage);
        }
        else
        {
            Interlocked.Increment(ref _deleteMessageBatch);
        }

        Interlocked.Add(ref _messagesDeleted, messages);
    }

    public void CountChangeVisibility(int messages)
    {
        if (messages == 1)
        {
            Interlocked.Increment(ref _changeMessageVisibility);
        }
        else
        {
            Interlocked.Increment(ref _changeMessageVisibilityBatch);
        }
    }
}
