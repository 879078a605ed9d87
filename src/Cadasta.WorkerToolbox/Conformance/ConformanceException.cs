namespace Cadasta.WorkerToolbox.Conformance;

/// <summary>Thrown by <see cref="ConformanceChecks.Verify"/> when checks fail; its message lists every failure.</summary>
public sealed class ConformanceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConformanceException()
        : this([])
    {
    }

    /// <summary>Creates the exception with a message of your own.</summary>
    /// <param name="message">The message.</param>
    public ConformanceException(string message)
        : base(message)
    {
        Failures = [];
    }

    /// <summary>Creates the exception with a message of your own and its cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ConformanceException(string message, Exception innerException)
        : base(message, innerException)
    {
        Failures = [];
    }

    /// <summary>Creates the exception for failed checks.</summary>
    /// <param name="failures">The failed checks.</param>
    public ConformanceException(IReadOnlyList<ConformanceCheckResult> failures)
        : base(Describe(failures))
    {
        Failures = failures;
    }

    /// <summary>The failed checks.</summary>
    public IReadOnlyList<ConformanceCheckResult> Failures { get; }

    private static string Describe(IReadOnlyList<ConformanceCheckResult> failures) =>
        $"{failures.Count} Cadasta conformance check(s) failed:{string.Concat(failures.Select(f => Environment.NewLine + "  " + f))}";
}
