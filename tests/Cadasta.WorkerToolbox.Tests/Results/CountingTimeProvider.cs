using Microsoft.Extensions.Time.Testing;

namespace Cadasta.WorkerToolbox.Tests.Results;

/// <summary>A fake clock that counts the timers created on it, so a test advances time only once a wait is armed.</summary>
internal sealed class CountingTimeProvider : FakeTimeProvider
{
    private int timersCreated;

    public int TimersCreated => Volatile.Read(ref timersCreated);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref timersCreated);
        return timer;
    }

    /// <summary>Waits (real time, at most 10 s) until <paramref name="count"/> timers exist.</summary>
    public async Task WaitForTimersAsync(int count)
    {
        for (var waited = 0; TimersCreated < count; waited += 5)
        {
            Assert.True(waited < 10_000, $"expected {count} timer(s), saw {TimersCreated}");
            await Task.Delay(5);
        }
    }
}
