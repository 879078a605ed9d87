namespace Cadasta.WorkerToolbox.Worker;

/// <summary>Small helpers on signature dicts (Celery's serialized <c>Signature</c>).</summary>
internal static class Signatures
{
    public static bool IsGroup(IReadOnlyDictionary<string, object?> signature) =>
        signature.GetValueOrDefault("subtask_type") as string == "group"
        || signature.GetValueOrDefault("task") as string == "celery.group";

    /// <summary>A <c>celery.group</c> signature dict of <paramref name="tasks"/>.</summary>
    public static IReadOnlyDictionary<string, object?> Group(IEnumerable<IReadOnlyDictionary<string, object?>> tasks) =>
        new Dictionary<string, object?>
        {
            ["task"] = "celery.group",
            ["args"] = new List<object?>(),
            ["kwargs"] = new Dictionary<string, object?> { ["tasks"] = tasks.Cast<object?>().ToList() },
            ["options"] = new Dictionary<string, object?>(),
            ["subtask_type"] = "group",
            ["immutable"] = false,
        };

    public static IReadOnlyDictionary<string, object?> Options(IReadOnlyDictionary<string, object?> signature) =>
        signature.GetValueOrDefault("options") as IReadOnlyDictionary<string, object?> ?? new Dictionary<string, object?>();

    public static IReadOnlyList<IReadOnlyDictionary<string, object?>>? SignatureList(object? value) => value switch
    {
        IReadOnlyList<object?> list => list.OfType<IReadOnlyDictionary<string, object?>>().ToList(),
        IReadOnlyDictionary<string, object?> single => [single],
        _ => null,
    };
}
