namespace Cadasta.WorkerToolbox.Results;

/// <summary>
/// The shape of <c>celery_taskmeta</c>, discovered (tables created first when missing) once per
/// database object however many writers ask at the same time; later calls get the remembered
/// shape without waiting.
/// </summary>
internal sealed class ResultTableShapeOnce(Func<CancellationToken, Task<ResultTableShape>> discover) : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private ResultTableShape? shape;

    /// <summary>The shape once discovered, null before.</summary>
    public ResultTableShape? Known => Volatile.Read(ref shape);

    public async Task<ResultTableShape> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref shape) is { } known)
        {
            return known;
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (shape is { } discoveredMeanwhile)
            {
                return discoveredMeanwhile;
            }

            var found = await discover(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref shape, found);
            return found;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();
}
