namespace Cadasta.WorkerToolbox.Dashboard;

/// <summary>The frame of every page: head with the embedded stylesheet and script, navigation, footer.</summary>
internal static class PageLayout
{
    /// <summary>What the page's script needs for live updates: the record id to continue after, and whether rows may be inserted.</summary>
    internal sealed record Live(long AfterId, bool InsertRows);

    public static string Render(string title, string active, Html body, Live? live = null)
    {
        var html = new Html();
        html.Raw("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Raw("<meta name=\"referrer\" content=\"no-referrer\">")
            .Raw("<title>").Text(title + " · Cadasta tasks").Raw("</title>")
            .Raw("<link rel=\"stylesheet\"").Attribute("href", DashboardLinks.Style).Raw(">")
            .Raw("<script defer").Attribute("src", DashboardLinks.Script).Raw("></script>")
            .Raw("</head><body");
        if (live is not null)
        {
            html.Attribute("data-live", DashboardLinks.Events)
                .Attribute("data-after", live.AfterId.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Attribute("data-insert", live.InsertRows ? "true" : "false");
        }

        html.Raw("><header><span class=\"brand\">Cadasta tasks</span><nav>");
        foreach (var (label, href) in new[] { ("Overview", DashboardLinks.Overview), ("Tasks", DashboardLinks.Tasks) })
        {
            html.Link(href, label, label == active ? "active" : null);
        }

        html.Raw("</nav>");
        if (live is not null)
        {
            html.Raw("<span id=\"live-status\" class=\"live-status\" title=\"Live updates\">connecting…</span>");
        }

        html.Raw("</header><main>").Raw(body.ToString()).Raw("</main>")
            .Raw("<footer>Read-only view of the task monitor's records and Celery's result table · times in UTC</footer>")
            .Raw("</body></html>");
        return html.ToString();
    }

    public static string Error(string title, string message)
    {
        var body = new Html().Element("h1", title).Element("p", message, "error");
        return Render(title, string.Empty, body);
    }
}
