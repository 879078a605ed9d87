namespace Cadasta.WorkerToolbox.IntegrationTests.Reliability.Hostile;

/// <summary>
/// One message of the fuzzer, as it goes on the wire, and how the worker must end it.
/// <see cref="SqsRawBody"/>, when set, replaces the kombu envelope on SQS (a broken envelope).
/// </summary>
internal sealed record HostileMessage(
    int Index,
    string Kind,
    string? TaskId,
    byte[] Body,
    string ContentType,
    string ContentEncoding,
    IReadOnlyDictionary<string, object?> Headers,
    HostileOutcome Expected,
    string? SqsRawBody = null)
{
    /// <summary>The header every fuzz message carries, to find it again in the dead-letter queue.</summary>
    public const string CaseHeader = "x-fuzz-case";

    /// <summary>The text that marks a broken SQS envelope (which has no headers) as this case.</summary>
    public string Marker => $"fuzz-case-{Index}-";
}

/// <summary>How a fuzz message must end.</summary>
/// <param name="States">The result states its id may end in (empty: it has no row, it must be dead-lettered).</param>
/// <param name="ExceptionType">The exception of a FAILURE, when it matters.</param>
internal sealed record HostileOutcome(IReadOnlyList<string> States, string? ExceptionType = null)
{
    public static HostileOutcome Dead { get; } = new([]);

    public static HostileOutcome Success { get; } = new(["SUCCESS"]);

    public bool IsDead => States.Count == 0;

    public static HostileOutcome Failure(string? exceptionType = null) => new(["FAILURE"], exceptionType);
}
