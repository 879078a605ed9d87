namespace Cadasta.WorkerToolbox.Dashboard;

/// <summary>
/// A value that is costly to compute (the counts per state over every record): computed again at most once per
/// interval, and never more often than ten times its own last duration, so a large table cannot keep the
/// database busy however many pages and live connections ask.
/// </summary>
internal sealed class ThrottledValue<T>(Func<CancellationToken, Task<T>> compute, TimeSpan interval, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private T? _value;
    private bool _hasValue;
    private DateTimeOffset _computedAt;
    private TimeSpan _lastDuration;

    public async Task<T> GetAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            var minimumAge = interval > _lastDuration * 10 ? interval : _lastDuration * 10;
            if (_hasValue && now - _computedAt < minimumAge)
            {
                return _value!;
            }

            var started = time.GetTimestamp();
            _value = await compute(cancellationToken).ConfigureAwait(false);
            _lastDuration = time.GetElapsedTime(started);
            _computedAt = time.GetUtcNow();
            _hasValue = true;
            return _value;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
