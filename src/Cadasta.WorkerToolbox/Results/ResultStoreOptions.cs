namespace Cadasta.WorkerToolbox.Results;

/// <summary>How <see cref="DatabaseResultStore"/> connects, batches and retries.</summary>
public sealed record ResultStoreOptions
{
    /// <summary>
    /// Celery's <c>result_backend</c>: <c>db+postgresql://user:password@host:5432/name?sslmode=require</c>
    /// (also <c>db+postgresql+psycopg2://</c>), <c>db+sqlite:///relative.db</c> or <c>db+sqlite:////abs/path.db</c>.
    /// </summary>
    public required string BackendUrl { get; init; }

    /// <summary>Celery's <c>result_extended</c>: also write name, args, kwargs, worker, retries and queue.</summary>
    public bool ResultExtended { get; init; }

    /// <summary>Most rows written in one round trip and transaction.</summary>
    public int MaxBatchSize { get; init; } = 256;

    /// <summary>Attempts at a write while the database is unreachable, before <see cref="IResultStore.StoreAsync"/> throws.</summary>
    public int MaxWriteAttempts { get; init; } = 8;

    /// <summary>Wait after the first failed attempt; doubles after each further one.</summary>
    public TimeSpan RetryInitialDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between two attempts.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    internal TimeSpan DelayBeforeAttempt(int failedAttempts)
    {
        var exponent = Math.Min(failedAttempts - 1, 30);
        var delay = RetryInitialDelay * Math.Pow(2, exponent);
        return delay > RetryMaxDelay ? RetryMaxDelay : delay;
    }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(BackendUrl);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxWriteAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryInitialDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryMaxDelay, RetryInitialDelay);
    }
}
