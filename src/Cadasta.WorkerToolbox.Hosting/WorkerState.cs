namespace Cadasta.WorkerToolbox.Hosting;

/// <summary>Whether the hosted worker is consuming: set once it started, cleared when it stops.</summary>
internal sealed class WorkerState
{
    private volatile bool _consuming;

    public bool Consuming
    {
        get => _consuming;
        set => _consuming = value;
    }
}
