using System.Globalization;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.TestSupport.Interop;
using Microsoft.Playwright;

namespace Cadasta.WorkerToolbox.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard in headless Chromium over the records of a real run (<see cref="DemoSystem"/>): what a person sees
/// on each page, live updates without a reload, and a script in a task argument shown as text. Each test saves a
/// screenshot of its page into docs/ (docs/dashboard-*.png).
/// </summary>
public sealed class DashboardBrowserTests(DemoSystem system, HeadlessChromium chromium) : IClassFixture<DemoSystem>, IClassFixture<HeadlessChromium>, IAsyncLifetime
{
    private readonly List<IBrowserContext> _contexts = [];

    private static readonly LocatorWaitForOptions Visible = new() { Timeout = 20_000 };
    private static readonly LocatorAssertionsToHaveTextOptions Settled = new() { Timeout = 10_000 };

    [Fact]
    public async Task The_overview_shows_the_counts_per_state_the_records_hold()
    {
        var page = await OpenAsync("/");
        var dialogs = WatchDialogs(page);

        // What the records say, read through the monitor's own queries (not the dashboard's). The page's counts are
        // shared by every open page and at most one live interval old, so they are awaited (live updates keep them current).
        var tasks = await system.Queries.ListRecentAsync(10_000);
        var expected = tasks.GroupBy(task => task.Status).ToDictionary(group => group.Key, group => group.Count());
        await Assertions.Expect(Count(page, "TOTAL")).ToHaveTextAsync(tasks.Count.ToString(CultureInfo.InvariantCulture), Settled);
        foreach (var state in new[] { TaskStates.Pending, TaskStates.Started, TaskStates.Success, TaskStates.Failure })
        {
            await Assertions.Expect(Count(page, state)).ToHaveTextAsync(expected.GetValueOrDefault(state).ToString(CultureInfo.InvariantCulture), Settled);
        }

        Assert.Equal("1", (await Count(page, TaskStates.Failure).TextContentAsync())?.Trim());
        Assert.True(expected[TaskStates.Success] >= 8, "the export family, msg.add and msg.echo succeeded");

        // The last hour's chart has bars for the finished tasks, and the summary counts the one failure.
        Assert.True(await page.Locator("svg.chart rect.bar-success").CountAsync() >= 1);
        Assert.Equal(1, await page.Locator("svg.chart rect.bar-failure").CountAsync());
        Assert.Contains("1 failed", await page.Locator("#hour-summary").TextContentAsync(), StringComparison.Ordinal);

        // The memory broker tells its backlog: every queue is there, drained by the worker and the monitor.
        foreach (var queue in new[] { "celery", "msg", "export", "platform.fifo" })
        {
            Assert.Equal("0", (await page.Locator($"#queue-backlog tr[data-queue='{queue}'] td.number").TextContentAsync())?.Trim());
        }

        await page.Locator("#live-status.on").WaitForAsync(Visible);
        await ScreenshotAsync(page, "overview");
        Assert.Empty(dialogs);
    }

    [Fact]
    public async Task The_family_view_of_an_export_shows_its_subtasks_and_the_result_links()
    {
        var page = await OpenAsync("/tasks?name=export.project");
        await ClickAndWaitForPageAsync(page, page.Locator($"tr[data-task-id='{system.ExportId}'] a.family-link"), "**/family?root=*");

        Assert.Equal("SUCCESS", await page.Locator("#overall-status").TextContentAsync());
        var tree = page.Locator("#family-tree");
        var names = await tree.Locator("a.task-name").AllTextContentsAsync();
        Assert.Equal(
            ["export.project", "export.project.resources", "export.project.shp", "export.project.xls", "export.utils.create_result"],
            names.Order(StringComparer.Ordinal).ToArray());
        Assert.DoesNotContain("celery.chord_unlock", await tree.TextContentAsync(), StringComparison.Ordinal);

        // The chord's members and its callback hang under export.project, each with its state.
        var root = tree.Locator($"li[data-task-id='{system.ExportId}']");
        Assert.Equal(4, await root.Locator("ul > li").CountAsync());
        Assert.Equal(5, await tree.Locator("span.state-SUCCESS").CountAsync());
        Assert.Equal(1, await tree.Locator("span.tag", new() { HasTextString = "is_result" }).CountAsync());

        var link = page.Locator("#overall-results a.result-link");
        Assert.Equal(1, await link.CountAsync());
        Assert.Equal(DemoSystem.ExportBundleUrl, await link.GetAttributeAsync("href"));
        Assert.Equal("demo_all.zip", await link.TextContentAsync());
        await ScreenshotAsync(page, "family");

        // A subtask's own page has its result, with the same link.
        await ClickAndWaitForPageAsync(page, tree.Locator("a.task-name", new() { HasTextString = "export.utils.create_result" }), "**/task?id=*");
        Assert.Equal(DemoSystem.ExportBundleUrl, await page.Locator("#result a.result-link").GetAttributeAsync("href"));
    }

    [Fact]
    public async Task A_task_sent_while_the_list_is_open_appears_without_a_reload()
    {
        var page = await OpenAsync("/tasks");
        await page.Locator("#live-status.on").WaitForAsync(Visible);
        await page.EvaluateAsync("() => { window.dashboardTestMarker = 'still the same page'; }");
        var rowsBefore = await page.Locator("#task-list tbody tr").CountAsync();

        var id = await system.SendAsync("msg.add", [40L, 2L]);
        var row = page.Locator($"#task-list tr[data-task-id='{id}']");
        await row.WaitForAsync(Visible);
        Assert.Equal("msg.add", await row.Locator("a.task-name").TextContentAsync());
        await system.WaitDoneAsync(id);
        await row.Locator("span.state-SUCCESS").WaitForAsync(Visible);

        Assert.Equal("still the same page", await page.EvaluateAsync<string>("() => window.dashboardTestMarker"));
        Assert.Equal(rowsBefore + 1, await page.Locator("#task-list tbody tr").CountAsync());
        Assert.Equal(id, await page.Locator("#task-list tbody tr").First.GetAttributeAsync("data-task-id"));
        await ScreenshotAsync(page, "tasks");
    }

    [Fact]
    public async Task A_script_in_a_task_argument_is_shown_as_text_and_never_runs()
    {
        var page = await OpenAsync($"/task?id={Uri.EscapeDataString(system.EchoId)}");
        var dialogs = WatchDialogs(page);
        Assert.Contains(DemoSystem.ScriptArgument, await page.Locator("#args pre").TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("<img src=x onerror=alert(2)>", await page.Locator("#kwargs pre").TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains(DemoSystem.ScriptArgument, await page.Locator("#result pre").TextContentAsync(), StringComparison.Ordinal);

        // The only script on the page is the dashboard's own; no image element came from the keyword argument.
        Assert.Equal(["/assets/dashboard.js"], await page.Locator("script").EvaluateAllAsync<string[]>("scripts => scripts.map(s => s.getAttribute('src'))"));
        Assert.Equal(0, await page.Locator("main img").CountAsync());

        // In the task list a creator id holding markup reads as that text too.
        var list = await OpenAsync("/tasks");
        var listDialogs = WatchDialogs(list);
        var creator = list.Locator($"tr[data-task-id='{system.EchoId}'] td.creator");
        Assert.Equal(DemoSystem.MarkupCreator, await creator.TextContentAsync());
        Assert.Equal(0, await creator.Locator("b").CountAsync());

        await page.ReloadAsync();
        await page.WaitForTimeoutAsync(500);
        Assert.Empty(dialogs);
        Assert.Empty(listDialogs);
    }

    [Fact]
    public async Task A_failed_task_shows_its_exception_and_traceback()
    {
        var page = await OpenAsync($"/task?id={Uri.EscapeDataString(system.FailId)}");
        Assert.Equal("FAILURE", await page.Locator("h1 span.state").TextContentAsync());
        Assert.Contains("the dashboard test asked for it", await page.Locator("#exception p.exception").TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("Traceback", await page.Locator("#exception pre.traceback").TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("the dashboard test asked for it", await page.Locator("#args pre").TextContentAsync(), StringComparison.Ordinal);
        await ScreenshotAsync(page, "task");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Closes the test's pages, and with them their live streams.</summary>
    public async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }
    }

    private async Task<IPage> OpenAsync(string path)
    {
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        _contexts.Add(context);
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync(system.BaseUrl + path);
        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        return page;
    }

    // The waiter is set before the click, so a navigation that ends quickly is not missed; the pages are rendered
    // on the server, so the parsed document holds everything asserted (waiting for the load event once timed out
    // in CI, after the page had gone network-idle).
    private static async Task ClickAndWaitForPageAsync(IPage page, ILocator link, string url)
    {
        var arrived = page.WaitForURLAsync(url, new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        await link.ClickAsync();
        await arrived;
    }

    private static List<string> WatchDialogs(IPage page)
    {
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };
        return dialogs;
    }

    private static ILocator Count(IPage page, string key) => page.Locator($"[data-count='{key}']");

    private static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepositoryPaths.Root, "docs", $"dashboard-{name}.png"), FullPage = true });
}
