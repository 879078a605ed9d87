using Cadasta.WorkerToolbox.Dashboard;
using Cadasta.WorkerToolbox.Monitoring;
using Cadasta.WorkerToolbox.Results;

namespace Cadasta.WorkerToolbox.Tests.Dashboard;

/// <summary>The pages as HTML: every value encoded, arguments masked on request, links only to http(s), the family tree.</summary>
public sealed class DashboardRenderingTests
{
    private const string Script = "<script>alert(1)</script>";
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Text_and_attributes_are_html_encoded()
    {
        var html = new Html().Text(Script).Attribute("title", "\" onmouseover=\"alert(1)").Link("/task?id=\"><x>", "<i>name</i>").ToString();

        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<i>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("\" onmouseover", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("ü", new Html().Text("ü").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_task_page_shows_markup_in_arguments_options_and_results_as_text()
    {
        var page = TaskPage.Render(Details(Script, new Dictionary<string, object?> { ["note"] = "<img src=x onerror=alert(2)>" }, result: Script), maskArguments: false, lastId: 1);

        Assert.Single(AllIndexes(page, "<script"));
        Assert.Contains("<script defer src=\"/assets/dashboard.js\"></script>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", page, StringComparison.Ordinal);
        Assert.Equal(3, AllIndexes(page, "&lt;script&gt;alert(1)&lt;/script&gt;").Count); // the argument, the creator_id option, the result
    }

    [Fact]
    public void Masked_arguments_keep_their_number_and_names_but_not_their_values()
    {
        var page = TaskPage.Render(Details("s3cr3t-api-key", new Dictionary<string, object?> { ["api_key"] = "another-s3cr3t" }, result: null), maskArguments: true, lastId: 1);

        Assert.DoesNotContain("s3cr3t", page, StringComparison.Ordinal);
        Assert.Contains("api_key", page, StringComparison.Ordinal);
        Assert.Contains("***", page, StringComparison.Ordinal);
        Assert.Contains("Arguments (masked)", page, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_http_and_https_urls_in_a_result_become_links()
    {
        var result = new Dictionary<string, object?>
        {
            ["links"] = new List<object?>
            {
                new Dictionary<string, object?> { ["text"] = "bundle.zip", ["url"] = "https://exports.invalid/b.zip" },
                new Dictionary<string, object?> { ["text"] = "evil", ["url"] = "javascript:alert(1)" },
                new Dictionary<string, object?> { ["url"] = "http://exports.invalid/plain" },
                new Dictionary<string, object?> { ["text"] = "data", ["url"] = "data:text/html,<script>alert(1)</script>" },
            },
        };

        Assert.Equal(
            [("bundle.zip", "https://exports.invalid/b.zip"), ("http://exports.invalid/plain", "http://exports.invalid/plain")],
            ResultLinks.Find(result));
        var page = TaskPage.Render(Details("x", new Dictionary<string, object?>(), result), maskArguments: false, lastId: 1);
        Assert.DoesNotContain("href=\"javascript", page, StringComparison.Ordinal);
        Assert.Contains("href=\"https://exports.invalid/b.zip\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public void The_family_tree_hides_chord_unlock_and_hangs_what_it_sent_under_its_parent()
    {
        TaskListItem Item(long id, string task, string name, string? parent) =>
            new(id, new TrackedTask(PlatformRecord(task, name, "export", parent), TaskStates.Success), T0.AddSeconds(1));
        var tree = FamilyTree.Build(
        [
            Item(1, "export", "export.project", null),
            Item(2, "unlock", TaskFamily.ChordUnlockTaskName, "export"),
            Item(3, "xls", "export.project.xls", "export"),
            Item(4, "shp", "export.project.shp", "export"),
            Item(5, "result", "export.utils.create_result", "unlock"),
            Item(6, "orphan", "msg.add", "not-in-this-family"),
            Item(7, "loop-a", "msg.add", "loop-b"),
            Item(8, "loop-b", "msg.add", "loop-a"),
        ]);

        Assert.Equal(1, tree.HiddenChordUnlocks);
        var root = tree.Roots[0];
        Assert.Equal("export", root.Item.Task.Record.TaskId);
        Assert.Equal(["xls", "shp", "result"], root.Children.Select(child => child.Item.Task.Record.TaskId));
        Assert.Contains(tree.Roots, node => node.Item.Task.Record.TaskId == "orphan");

        // A parent cycle cannot hide its tasks.
        var shown = new List<string>();
        void Walk(FamilyTree.Node node)
        {
            shown.Add(node.Item.Task.Record.TaskId);
            node.Children.ForEach(Walk);
        }

        tree.Roots.ToList().ForEach(Walk);
        Assert.Equal(["export", "loop-a", "loop-b", "orphan", "result", "shp", "xls"], shown.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_chart_has_sixty_minutes_with_bars_only_where_tasks_finished()
    {
        var now = T0.AddMinutes(30).AddSeconds(20);
        var minutes = ActivityChart.LastHour([new TaskActivityBucket(T0.AddMinutes(30), 5, 2), new TaskActivityBucket(T0.AddMinutes(-45), 9, 9)], now);

        Assert.Equal(60, minutes.Count);
        Assert.Equal(T0.AddMinutes(30), minutes[^1].Start);
        Assert.Equal(7, minutes.Sum(bucket => bucket.Finished)); // the bucket older than an hour is out
        var html = new Html();
        ActivityChart.Render(html, minutes);
        var svg = html.ToString();
        Assert.Single(AllIndexes(svg, "class=\"bar-success\""));
        Assert.Single(AllIndexes(svg, "class=\"bar-failure\""));
        Assert.DoesNotContain("style=", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void Task_list_filters_refuse_what_they_cannot_use()
    {
        Assert.NotNull(Filters(state: "success").ToQuery(50).Error);
        Assert.NotNull(Filters(from: "yesterday").ToQuery(50).Error);
        Assert.NotNull(Filters(before: "not-a-cursor").ToQuery(50).Error);
        var (query, error) = Filters(state: "FAILURE", from: "2026-11-28T09:30", before: "20261128T090000.000000Z_7").ToQuery(50);
        Assert.Null(error);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 9, 30, 0, TimeSpan.Zero), query!.CreatedFrom);
        Assert.Equal(7, query.Before!.Id);
    }

    [Fact]
    public void The_options_never_print_their_secrets()
    {
        var options = new DashboardOptions { ResultBackendUrl = "db+sqlite:///x.db", BearerToken = "tok-123", BasicAuthUser = "u", BasicAuthPassword = "pw-456" };
        Assert.DoesNotContain("tok-123", options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("tok-123", options.AccessDescription, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-456", options.AccessDescription, StringComparison.Ordinal);
    }

    private static TaskListFilters Filters(string? state = null, string? from = null, string? before = null) => new(state, null, null, from, null, before);

    private static TaskRecord PlatformRecord(string id, string name, string root, string? parent) => new()
    {
        TaskId = id,
        TaskName = name,
        Args = [],
        Kwargs = new Dictionary<string, object?>(),
        Options = new Dictionary<string, object?>(),
        RootId = root,
        ParentId = parent,
        Created = T0,
    };

    private static TaskDetails Details(object? arg, IReadOnlyDictionary<string, object?> kwargs, object? result)
    {
        var record = PlatformRecord("t1", "msg.echo", "t1", null) with { Args = [arg], Kwargs = kwargs, Options = new Dictionary<string, object?> { ["creator_id"] = Script } };
        return new TaskDetails(new TaskListItem(1, new TrackedTask(record, TaskStates.Success), T0.AddSeconds(1)), TaskResult.Success("t1", result));
    }

    private static List<int> AllIndexes(string text, string part)
    {
        var found = new List<int>();
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + 1, StringComparison.Ordinal))
        {
            found.Add(at);
        }

        return found;
    }
}
