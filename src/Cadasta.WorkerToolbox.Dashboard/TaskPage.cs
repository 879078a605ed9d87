using System.Globalization;
using Cadasta.WorkerToolbox.Monitoring;

namespace Cadasta.WorkerToolbox.Dashboard;

/// <summary>One task: its record (arguments masked when asked), options, and result or exception with traceback.</summary>
internal static class TaskPage
{
    public static string Render(TaskDetails details, bool maskArguments, long lastId)
    {
        var item = details.Item;
        var record = item.Task.Record;
        var html = new Html();
        html.Raw("<h1>").Element("span", record.TaskName, "task-title").Raw(" ").Element("span", item.Task.Status, DisplayFormat.StateClass(item.Task.Status)).Raw("</h1>");
        html.Raw("<dl class=\"facts\">")
            .Element("dt", "Task id").Raw("<dd>").Element("code", record.TaskId).Raw("</dd>")
            .Element("dt", "Recorded").Element("dd", DisplayFormat.Time(record.Created))
            .Element("dt", "Done").Element("dd", DisplayFormat.Time(item.DoneAt))
            .Element("dt", "Duration").Element("dd", DisplayFormat.Duration(item.Duration))
            .Element("dt", "Parent").Raw("<dd>");
        if (record.ParentId is { } parent)
        {
            html.Link(DashboardLinks.Task(parent), parent);
        }
        else
        {
            html.Text("-");
        }

        html.Raw("</dd>").Element("dt", "Family").Raw("<dd>").Link(DashboardLinks.Family(record.RootId), record.RootId).Raw("</dd>")
            .Element("dt", "Creator").Element("dd", record.CreatorId ?? "-")
            .Element("dt", "Related object").Element("dd", record.RelatedObjectId is null && record.RelatedContentTypeId is null
                ? "-"
                : string.Create(CultureInfo.InvariantCulture, $"{record.RelatedObjectId ?? "-"} (content type {record.RelatedContentTypeId?.ToString(CultureInfo.InvariantCulture) ?? "-"})"))
            .Raw("</dl>");

        var args = maskArguments ? ValueText.MaskArgs(record.Args) : record.Args;
        var kwargs = maskArguments ? ValueText.MaskKwargs(record.Kwargs) : record.Kwargs;
        Section(html, "Arguments" + (maskArguments ? " (masked)" : string.Empty), "args", ValueText.Json(args));
        Section(html, "Keyword arguments" + (maskArguments ? " (masked)" : string.Empty), "kwargs", ValueText.Json(kwargs));
        Section(html, "Options", "options", ValueText.Json(record.Options));

        var result = details.Result;
        if (result?.Error is { } error)
        {
            html.Raw("<section class=\"panel\" id=\"exception\"><h2>Exception</h2><p class=\"exception\">")
                .Element("code", error.ExceptionModule + "." + error.ExceptionType).Raw(": ").Text(error.Message).Raw("</p>");
            if (!string.IsNullOrEmpty(result.Traceback))
            {
                html.Element("h3", "Traceback").Element("pre", result.Traceback, "traceback");
            }

            html.Raw("</section>");
        }
        else if (result is not null)
        {
            html.Raw("<section class=\"panel\" id=\"result\"><h2>Result</h2>");
            var links = ResultLinks.Find(result.Value);
            if (links.Count > 0)
            {
                html.Raw("<ul class=\"result-links\">");
                foreach (var (text, url) in links)
                {
                    html.Raw("<li><a class=\"result-link\" rel=\"noopener noreferrer\"").Attribute("href", url).Raw(">").Text(text).Raw("</a></li>");
                }

                html.Raw("</ul>");
            }

            html.Element("pre", ValueText.Json(result.Value), "value");
            if (!string.IsNullOrEmpty(result.Traceback))
            {
                html.Element("h3", "Traceback").Element("pre", result.Traceback, "traceback");
            }

            html.Raw("</section>");
        }
        else
        {
            html.Raw("<section class=\"panel\" id=\"result\"><h2>Result</h2>").Element("p", "No result yet: the task has no row in celery_taskmeta.", "empty").Raw("</section>");
        }

        return PageLayout.Render(record.TaskName, string.Empty, html, new PageLayout.Live(lastId, InsertRows: false));
    }

    private static void Section(Html html, string title, string id, string json) =>
        html.Raw("<section class=\"panel\"").Attribute("id", id).Raw(">").Element("h2", title).Element("pre", json, "value").Raw("</section>");
}
