namespace Cadasta.WorkerToolbox.Conformance;

/// <summary>The outcome of one conformance check.</summary>
public sealed class ConformanceCheckResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="name">The check's name, for example <c>default_queue_name</c>.</param>
    /// <param name="passed">Whether the rule holds.</param>
    /// <param name="message">What was expected and what was found.</param>
    public ConformanceCheckResult(string name, bool passed, string message)
    {
        Name = name;
        Passed = passed;
        Message = message;
    }

    /// <summary>The check's name, as the original toolbox's test of the same rule (<c>default_queue_name</c>...).</summary>
    public string Name { get; }

    /// <summary>Whether the rule holds.</summary>
    public bool Passed { get; }

    /// <summary>What was expected and what was found.</summary>
    public string Message { get; }

    /// <summary>One line: <c>PASS name: message</c> or <c>FAIL name: message</c>.</summary>
    public override string ToString() => $"{(Passed ? "PASS" : "FAIL")} {Name}: {Message}";
}
