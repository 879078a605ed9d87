using Cadasta.WorkerToolbox.Monitoring;

namespace Cadasta.WorkerToolbox.Dashboard;

/// <summary>The task list: filters (state, name, creator, time range), newest first, paged by keyset.</summary>
internal static class TaskListView
{
    public static string Render(TaskListFilters filters, TaskListPage? page, string? error, long lastId)
    {
        var html = new Html();
        html.Element("h1", "Tasks");
        html.Raw("<form class=\"filters\" method=\"get\"").Attribute("action", DashboardLinks.Tasks).Raw(">");
        html.Raw("<label>State <select name=\"state\"><option value=\"\">any</option>");
        foreach (var state in DisplayFormat.KnownStates)
        {
            html.Raw("<option").Attribute("value", state);
            if (state == filters.State)
            {
                html.Raw(" selected");
            }

            html.Raw(">").Text(state).Raw("</option>");
        }

        html.Raw("</select></label>");
        Input(html, "Name", "name", filters.Name, "export.project or export.*");
        Input(html, "Creator", "creator", filters.Creator, "creator id");
        Input(html, "From (UTC)", "from", filters.From, "2026-11-28T09:00");
        Input(html, "To (UTC)", "to", filters.To, "2026-11-28T10:00");
        html.Raw("<button type=\"submit\">Filter</button>");
        if (filters.IsFiltered)
        {
            html.Link(DashboardLinks.Tasks, "Clear", "clear");
        }

        html.Raw("</form>");
        if (error is not null)
        {
            html.Element("p", error, "error");
        }

        html.Raw("<p class=\"notice\" id=\"new-tasks\" hidden>New tasks were recorded. ")
            .Link(DashboardLinks.TaskList(filters.Pairs(null)), "Show the newest")
            .Raw("</p>");
        TaskRows.Render(html, page?.Items ?? [], "task-list");
        html.Raw("<nav class=\"pager\">");
        if (filters.Before is not null)
        {
            html.Link(DashboardLinks.TaskList(filters.Pairs(null)), "← Newest");
        }

        if (page?.Next is { } next)
        {
            html.Link(DashboardLinks.TaskList(filters.Pairs(next.ToString())), "Older →", "older");
        }

        html.Raw("</nav>");

        // New rows are inserted live only where they belong: the first, unfiltered page.
        var insert = !filters.IsFiltered && filters.Before is null;
        return PageLayout.Render("Tasks", "Tasks", html, new PageLayout.Live(lastId, insert));
    }

    private static void Input(Html html, string label, string name, string? value, string placeholder) =>
        html.Raw("<label>").Text(label).Raw(" <input type=\"text\"").Attribute("name", name).Attribute("value", value)
            .Attribute("placeholder", placeholder).Raw("></label>");
}
