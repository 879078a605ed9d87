using Cadasta.WorkerToolbox.Monitoring;

namespace Cadasta.WorkerToolbox.Dashboard;

/// <summary>The table of tasks used by the overview and the task list; the page script builds new rows the same way.</summary>
internal static class TaskRows
{
    public static void Render(Html html, IReadOnlyList<TaskListItem> items, string tableId)
    {
        html.Raw("<table class=\"tasks\"").Attribute("id", tableId).Raw(">")
            .Raw("<thead><tr><th>Recorded</th><th>Task</th><th>State</th><th>Duration</th><th>Creator</th><th>Family</th></tr></thead>")
            .Raw("<tbody data-live-rows>");
        foreach (var item in items)
        {
            Row(html, item);
        }

        html.Raw("</tbody></table>");
        if (items.Count == 0)
        {
            html.Element("p", "No tasks recorded yet.", "empty");
        }
    }

    public static void Row(Html html, TaskListItem item)
    {
        var record = item.Task.Record;
        html.Raw("<tr").Attribute("data-id", item.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).Attribute("data-task-id", record.TaskId).Raw(">")
            .Element("td", DisplayFormat.Time(record.Created), "time")
            .Raw("<td>").Link(DashboardLinks.Task(record.TaskId), record.TaskName, "task-name").Raw("</td>")
            .Raw("<td>").Element("span", item.Task.Status, DisplayFormat.StateClass(item.Task.Status)).Raw("</td>")
            .Element("td", DisplayFormat.Duration(item.Duration), "duration")
            .Element("td", record.CreatorId ?? "-", "creator")
            .Raw("<td>").Link(DashboardLinks.Family(record.RootId), DisplayFormat.ShortId(record.RootId), "family-link").Raw("</td>")
            .Raw("</tr>");
    }

    /// <summary>A row as the live updates carry it, for the page script.</summary>
    public static Dictionary<string, object?> ToJson(TaskListItem item)
    {
        var record = item.Task.Record;
        return new Dictionary<string, object?>
        {
            ["id"] = item.Id,
            ["task_id"] = record.TaskId,
            ["name"] = record.TaskName,
            ["state"] = item.Task.Status,
            ["state_class"] = DisplayFormat.StateClass(item.Task.Status),
            ["created"] = DisplayFormat.Time(record.Created),
            ["duration"] = DisplayFormat.Duration(item.Duration),
            ["creator"] = record.CreatorId ?? "-",
            ["root_id"] = record.RootId,
            ["root_short"] = DisplayFormat.ShortId(record.RootId),
        };
    }
}
