using System.Collections;
using Cadasta.WorkerToolbox.Protocol;

namespace Cadasta.WorkerToolbox.Worker.Demo;

/// <summary>
/// The demo worker's tasks, shared by <c>samples/DemoWorker</c> and the CLI's <c>demo</c> command:
/// the <c>msg.*</c> tasks exercise the protocol (arguments, results, failures, retries), and
/// <c>export.project</c> has the shape of Cadasta's export worker without its external services
/// (a chord of file tasks whose callback, marked <c>is_result</c>, carries the export's own callbacks).
/// </summary>
public static class DemoTasks
{
    /// <summary>The output types <c>export.project</c> accepts.</summary>
    public static IReadOnlyList<string> OutputTypes { get; } = ["all", "shp", "xls", "res"];

    /// <summary>Registers every demo task.</summary>
    /// <param name="registry">The registry to add them to.</param>
    /// <param name="timeProvider">The clock <c>msg.sleep</c> sleeps on; the system clock when null.</param>
    /// <returns>The registry.</returns>
    public static TaskRegistry Register(TaskRegistry registry, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var time = timeProvider ?? TimeProvider.System;
        return registry
            .Register("msg.add", Add)
            .Register("msg.noop", () => (object?)null)
            .Register("msg.echo", Echo)
            .Register("msg.fail", object? (string message) => throw new PythonException("Exception", message))
            .Register("msg.sleep", async (double seconds, CancellationToken cancellationToken) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(seconds), time, cancellationToken).ConfigureAwait(false);
                return seconds;
            })
            .Register("msg.retry", (TaskContext context, long times) =>
                context.Retries < times
                    ? throw context.Retry(countdown: TimeSpan.FromSeconds(0.1), maxRetries: (int)Math.Min(times, int.MaxValue))
                    : (long)context.Retries)
            .Register("export.project", ExportProjectAsync)
            .Register("export.project.xls", (string orgSlug, string projectSlug, string apiKey) => DescribeFile(orgSlug, projectSlug, apiKey, "xls"))
            .Register("export.project.shp", (string orgSlug, string projectSlug, string apiKey) => DescribeFile(orgSlug, projectSlug, apiKey, "shp"))
            .Register("export.project.resources", (string orgSlug, string projectSlug, string apiKey) => DescribeFile(orgSlug, projectSlug, apiKey, "res"))
            .Register("export.utils.create_result", CreateResult);
    }

    /// <summary>Python's <c>a + b</c> for numbers, strings and lists.</summary>
    private static object? Add(object? a, object? b) => (a, b) switch
    {
        (long x, long y) => x + y,
        (long or double, long or double) => Convert.ToDouble(a, System.Globalization.CultureInfo.InvariantCulture) + Convert.ToDouble(b, System.Globalization.CultureInfo.InvariantCulture),
        (string x, string y) => x + y,
        (IList x, IList y) => x.Cast<object?>().Concat(y.Cast<object?>()).ToList(),
        _ => throw new PythonException("TypeError", $"unsupported operand type(s) for +: '{ValueConverter.PythonTypeName(a)}' and '{ValueConverter.PythonTypeName(b)}'"),
    };

    private static Dictionary<string, object?> Echo([Kwargs] Dictionary<string, object?> kwargs, params object?[] args) => new()
    {
        ["args"] = args.ToList(),
        ["kwargs"] = kwargs,
    };

    private static async Task<bool> ExportProjectAsync(
        TaskContext context, string orgSlug, string projectSlug, string apiKey, string outputType, CancellationToken cancellationToken)
    {
        if (!OutputTypes.Contains(outputType))
        {
            throw new PythonException("ValueError", $"Unknown output type: '{outputType}' (expected one of: {string.Join(", ", OutputTypes)})");
        }

        string[] parts = outputType switch
        {
            "all" => ["export.project.xls", "export.project.shp", "export.project.resources"],
            "xls" => ["export.project.xls"],
            "shp" => ["export.project.shp"],
            _ => ["export.project.resources"],
        };
        var header = parts.Select(name => Signature.Create(name, [orgSlug, projectSlug, apiKey]));
        var filename = $"{projectSlug}_{outputType}.zip";
        var bundleUrl = $"https://exports.invalid/{orgSlug}/{projectSlug}/{filename}";

        // The platform's callbacks fire after the final result task, not after this one (extract_followups).
        var callback = context.ExtractFollowups()
            .ApplyTo(Signature.CreateImmutable("export.utils.create_result", [filename, bundleUrl]))
            .WithOption("is_result", true);
        await context.SendAsync(Signature.Chord(header, callback), cancellationToken: cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static Dictionary<string, object?> DescribeFile(string orgSlug, string projectSlug, string apiKey, string type)
    {
        _ = apiKey;
        return new Dictionary<string, object?>
        {
            ["type"] = type,
            ["file"] = $"{orgSlug}/{projectSlug}.{type}",
        };
    }

    private static Dictionary<string, object?> CreateResult(string filename, string bundleUrl) => new()
    {
        ["links"] = new List<object?> { new Dictionary<string, object?> { ["text"] = filename, ["url"] = bundleUrl } },
    };
}
