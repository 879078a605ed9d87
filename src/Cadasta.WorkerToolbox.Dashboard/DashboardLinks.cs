namespace Cadasta.WorkerToolbox.Dashboard;

/// <summary>The dashboard's addresses; every value in them is URL-escaped.</summary>
internal static class DashboardLinks
{
    public const string Overview = "/";
    public const string Tasks = "/tasks";
    public const string Events = "/events";
    public const string Script = "/assets/dashboard.js";
    public const string Style = "/assets/dashboard.css";

    public static string Task(string taskId) => "/task?id=" + Uri.EscapeDataString(taskId);

    public static string Family(string rootId) => "/family?root=" + Uri.EscapeDataString(rootId);

    public static string TaskList(IEnumerable<KeyValuePair<string, string?>> query)
    {
        var parts = query.Where(pair => !string.IsNullOrEmpty(pair.Value))
            .Select(pair => Uri.EscapeDataString(pair.Key) + "=" + Uri.EscapeDataString(pair.Value!))
            .ToList();
        return parts.Count == 0 ? Tasks : Tasks + "?" + string.Join("&", parts);
    }
}
