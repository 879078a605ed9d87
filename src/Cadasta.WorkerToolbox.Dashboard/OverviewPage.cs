using System.Globalization;
using Cadasta.WorkerToolbox.Monitoring;

namespace Cadasta.WorkerToolbox.Dashboard;

/// <summary>The overview: tasks per state, finished tasks per minute over the last hour, queue backlogs, the latest tasks.</summary>
internal static class OverviewPage
{
    internal sealed record Data(
        IReadOnlyDictionary<string, long> Counts,
        IReadOnlyList<TaskActivityBucket> LastHour,
        bool BacklogEnabled,
        IReadOnlyList<QueueBacklogRow> Backlog,
        IReadOnlyList<TaskListItem> Latest,
        long LastId);

    public static string Render(Data data)
    {
        var html = new Html();
        html.Element("h1", "Overview");
        var total = data.Counts.Values.Sum();
        html.Raw("<section class=\"cards\" id=\"state-counts\">");
        Card(html, "TOTAL", "All tasks", total);
        foreach (var state in DisplayFormat.KnownStates.Concat(data.Counts.Keys.Where(s => !DisplayFormat.KnownStates.Contains(s)).Order(StringComparer.Ordinal)))
        {
            Card(html, state, state, data.Counts.GetValueOrDefault(state));
        }

        html.Raw("</section>");

        var finished = data.LastHour.Sum(bucket => bucket.Finished);
        var failed = data.LastHour.Sum(bucket => bucket.Failed);
        html.Raw("<section class=\"panel\"><h2>Finished per minute, last hour</h2>");
        html.Raw("<p class=\"summary\" id=\"hour-summary\">").Text(string.Create(CultureInfo.InvariantCulture,
            $"{finished} finished, {failed} failed or revoked — failure rate {(finished == 0 ? 0 : 100.0 * failed / finished):0.0} %")).Raw("</p>");
        ActivityChart.Render(html, data.LastHour);
        html.Raw("<p class=\"legend\"><span class=\"key key-success\"></span>succeeded <span class=\"key key-failure\"></span>failed or revoked</p></section>");

        html.Raw("<section class=\"panel\"><h2>Queue backlog</h2>");
        if (!data.BacklogEnabled)
        {
            html.Element("p", "The broker's queue backlog is not shown: no broker that can tell it is configured (RabbitMQ and SQS can).", "empty");
        }
        else
        {
            html.Raw("<table class=\"backlog\" id=\"queue-backlog\"><thead><tr><th>Queue</th><th>Messages waiting</th></tr></thead><tbody>");
            foreach (var row in data.Backlog)
            {
                html.Raw("<tr").Attribute("data-queue", row.Queue).Raw(">").Element("td", row.Queue)
                    .Element("td", row.Messages?.ToString(CultureInfo.InvariantCulture) ?? row.Problem, row.Messages is null ? "muted" : "number")
                    .Raw("</tr>");
            }

            html.Raw("</tbody></table>");
        }

        html.Raw("</section>");

        html.Raw("<section class=\"panel\"><h2>Latest tasks</h2>");
        TaskRows.Render(html, data.Latest, "latest-tasks");
        html.Raw("<p>").Link(DashboardLinks.Tasks, "All tasks, with filters →").Raw("</p></section>");
        return PageLayout.Render("Overview", "Overview", html, new PageLayout.Live(data.LastId, InsertRows: true));
    }

    private static void Card(Html html, string key, string label, long count) =>
        html.Raw("<div").Attribute("class", "card " + (key == "TOTAL" ? "total" : DisplayFormat.StateClass(key).Replace("state ", "card-", StringComparison.Ordinal)))
            .Raw("><span class=\"count\"").Attribute("data-count", key).Raw(">").Text(count.ToString(CultureInfo.InvariantCulture)).Raw("</span>")
            .Element("span", label, "label").Raw("</div>");
}
