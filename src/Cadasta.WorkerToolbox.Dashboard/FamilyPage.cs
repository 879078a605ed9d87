using System.Globalization;
using Cadasta.WorkerToolbox.Monitoring;

namespace Cadasta.WorkerToolbox.Dashboard;

/// <summary>
/// A family: its overall status and overall results as the platform computes them (with the results' links),
/// and the tree of its tasks with their states and durations.
/// </summary>
internal static class FamilyPage
{
    public static string Render(TaskFamilyDetails details, long lastId)
    {
        var family = details.Family;
        var html = new Html();
        html.Raw("<h1>Family ").Element("code", family.RootId).Raw("</h1>");
        var shown = details.Items.Where(item => item.Task.Record.TaskName != TaskFamily.ChordUnlockTaskName).ToList();
        var first = shown.Count > 0 ? shown.Min(item => item.Task.Record.Created) : (DateTimeOffset?)null;
        var lastDone = shown.Count > 0 && shown.All(item => item.DoneAt is not null) ? shown.Max(item => item.DoneAt) : null;
        html.Raw("<dl class=\"facts\">")
            .Element("dt", "Overall status").Raw("<dd><span id=\"overall-status\"").Attribute("class", DisplayFormat.StateClass(family.OverallStatus)).Raw(">").Text(family.OverallStatus).Raw("</span></dd>")
            .Element("dt", "Tasks").Element("dd", shown.Count.ToString(CultureInfo.InvariantCulture))
            .Element("dt", "Started").Element("dd", DisplayFormat.Time(first))
            .Element("dt", "Took").Element("dd", first is { } start && lastDone is { } end ? DisplayFormat.Duration(end - start) : "-")
            .Raw("</dl>");

        html.Raw("<section class=\"panel\" id=\"overall-results\"><h2>Overall results</h2>");
        if (family.OverallResults.Count == 0)
        {
            html.Element("p", "No task of this family is marked is_result (or none has finished).", "empty");
        }
        else
        {
            var links = family.OverallResults.SelectMany(ResultLinks.Find).ToList();
            if (links.Count > 0)
            {
                html.Raw("<ul class=\"result-links\">");
                foreach (var (text, url) in links)
                {
                    html.Raw("<li>").Raw("<a class=\"result-link\" rel=\"noopener noreferrer\"").Attribute("href", url).Raw(">").Text(text).Raw("</a></li>");
                }

                html.Raw("</ul>");
            }

            html.Element("pre", ValueText.Json(family.OverallResults), "value");
        }

        html.Raw("</section>");

        var tree = FamilyTree.Build(details.Items);
        html.Raw("<section class=\"panel\"><h2>Tasks</h2><ul class=\"tree\" id=\"family-tree\">");
        foreach (var root in tree.Roots)
        {
            Node(html, root, depth: 0);
        }

        html.Raw("</ul>");
        if (tree.HiddenChordUnlocks > 0)
        {
            html.Element("p", string.Create(CultureInfo.InvariantCulture, $"{tree.HiddenChordUnlocks} celery.chord_unlock poll(s) not shown: they only wait for a chord's members."), "muted");
        }

        html.Raw("</section>");
        return PageLayout.Render("Family " + DisplayFormat.ShortId(family.RootId), string.Empty, html, new PageLayout.Live(lastId, InsertRows: false));
    }

    private static void Node(Html html, FamilyTree.Node node, int depth)
    {
        var item = node.Item;
        var record = item.Task.Record;
        html.Raw("<li").Attribute("data-task-id", record.TaskId).Raw("><span class=\"node\">")
            .Element("span", item.Task.Status, DisplayFormat.StateClass(item.Task.Status))
            .Link(DashboardLinks.Task(record.TaskId), record.TaskName, "task-name")
            .Element("span", DisplayFormat.Duration(item.Duration), "duration");
        if (record.IsResult)
        {
            html.Element("span", "is_result", "tag");
        }

        html.Element("span", DisplayFormat.ShortId(record.TaskId), "muted id").Raw("</span>");
        if (node.Children.Count > 0 && depth < 64)
        {
            html.Raw("<ul>");
            foreach (var child in node.Children)
            {
                Node(html, child, depth + 1);
            }

            html.Raw("</ul>");
        }

        html.Raw("</li>");
    }
}
