using System.Net;
using System.Net.Http.Headers;
using Cadasta.WorkerToolbox.Cli.Commands;
using Cadasta.WorkerToolbox.Dashboard;
using Cadasta.WorkerToolbox.Monitoring;
using Cadasta.WorkerToolbox.TestSupport.Cli;
using Microsoft.Data.Sqlite;

namespace Cadasta.WorkerToolbox.IntegrationTests.Dashboard;

/// <summary>The dashboard over HTTP on Kestrel: security headers, read-only, the token, the live stream, the CLI command.</summary>
public sealed class DashboardHttpTests : IAsyncLifetime
{
    private readonly string _databasePath = Path.Combine(Path.GetTempPath(), $"cadasta-dashboard-http-{Guid.NewGuid():N}.db");

    private string BackendUrl => "db+sqlite:///" + _databasePath;

    public async Task InitializeAsync()
    {
        await using var store = TaskRecordStore.Create(BackendUrl);
        await store.EnsureSchemaAsync();
        await store.AddIfAbsentAsync(
        [
            new TaskRecord
            {
                TaskId = "first", TaskName = "msg.add", Args = [1L, 2L], Kwargs = new Dictionary<string, object?>(),
                Options = new Dictionary<string, object?>(), RootId = "first", Created = DateTimeOffset.UtcNow,
            },
        ]);
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(_databasePath);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Every_response_carries_a_strict_content_security_policy_and_only_reads_are_allowed()
    {
        await using var server = await DashboardServer.StartAsync(new DashboardOptions { ResultBackendUrl = BackendUrl, Urls = ["http://127.0.0.1:0"] });
        using var http = new HttpClient { BaseAddress = new Uri(server.Addresses[0]) };

        Assert.StartsWith("http://127.0.0.1:", server.Addresses[0], StringComparison.Ordinal);
        foreach (var path in new[] { "/", "/tasks", "/task?id=first", "/family?root=first", "/assets/dashboard.js", "/assets/dashboard.css", "/nowhere" })
        {
            using var response = await http.GetAsync(path);
            Assert.Equal(path == "/nowhere" ? HttpStatusCode.NotFound : HttpStatusCode.OK, response.StatusCode);
            var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.False(response.Headers.Contains("Server"));
        }

        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch })
        {
            using var response = await http.SendAsync(new HttpRequestMessage(method, "/tasks"));
            Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        }

        using (var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/tasks")))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/task?id=unknown")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/tasks?from=yesterday")).StatusCode);
        Assert.Contains("text/javascript", (await http.GetAsync("/assets/dashboard.js")).Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_token_nothing_is_served_without_it()
    {
        await using var server = await DashboardServer.StartAsync(new DashboardOptions { ResultBackendUrl = BackendUrl, Urls = ["http://127.0.0.1:0"], BearerToken = "tok-7f3a" });
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(server.Addresses[0]) };

        foreach (var path in new[] { "/", "/tasks", "/events", "/assets/dashboard.js" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(path)).StatusCode);
        }

        using var withHeader = new HttpRequestMessage(HttpMethod.Get, "/tasks");
        withHeader.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "tok-7f3a");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(withHeader)).StatusCode);

        using var opening = await http.GetAsync("/?token=tok-7f3a");
        Assert.Equal(HttpStatusCode.SeeOther, opening.StatusCode);
        var cookie = opening.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        using var withCookie = new HttpRequestMessage(HttpMethod.Get, "/");
        withCookie.Headers.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(withCookie)).StatusCode);
    }

    [Fact]
    public async Task The_live_stream_sends_the_counts_and_the_tasks_recorded_after_the_pages_newest()
    {
        await using var server = await DashboardServer.StartAsync(new DashboardOptions
        {
            ResultBackendUrl = BackendUrl,
            Urls = ["http://127.0.0.1:0"],
            LiveUpdateInterval = TimeSpan.FromMilliseconds(200),
        });
        using var http = new HttpClient { BaseAddress = new Uri(server.Addresses[0]) };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await http.GetAsync("/events?after=1", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        var first = await ReadEventAsync(reader, timeout.Token);
        Assert.Contains("\"total\":1", first, StringComparison.Ordinal);
        Assert.Contains("\"rows\":[]", first, StringComparison.Ordinal);

        await using (var store = TaskRecordStore.Create(BackendUrl))
        {
            await store.AddIfAbsentAsync(
            [
                new TaskRecord
                {
                    TaskId = "second", TaskName = "msg.echo", Args = ["<script>alert(1)</script>"], Kwargs = new Dictionary<string, object?>(),
                    Options = new Dictionary<string, object?>(), RootId = "second", Created = DateTimeOffset.UtcNow,
                },
            ]);
        }

        // The counts are shared by every open page and refreshed on their own throttle, so the event that
        // brings the new row may still carry the old counts: read on until the counts catch up.
        var events = new List<string>();
        while (!events.Any(e => e.Contains("\"total\":2", StringComparison.Ordinal)))
        {
            events.Add(await ReadEventAsync(reader, timeout.Token));
        }

        Assert.Contains(events, e => e.Contains("\"task_id\":\"second\"", StringComparison.Ordinal));
        Assert.DoesNotContain(events, e => e.Contains("\"task_id\":\"first\",\"name\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_cli_command_refuses_half_basic_credentials_and_an_unusable_backend()
    {
        var halfCredentials = await CommandRunner.RunAsync(
            DashboardCommand.Create(new Dictionary<string, string> { [DashboardCommand.UserVariable] = "ops" }),
            "dashboard", "--backend", BackendUrl, "--no-backlog", "--urls", "http://127.0.0.1:0");
        Assert.Equal(DashboardCommand.ExitConfigurationError, halfCredentials.Exit);
        Assert.Contains(DashboardCommand.PasswordVariable, halfCredentials.Error, StringComparison.Ordinal);

        var badBackend = await CommandRunner.RunAsync(
            DashboardCommand.Create(new Dictionary<string, string>()), "dashboard", "--backend", "db+mysql://x/y", "--no-backlog", "--urls", "http://127.0.0.1:0");
        Assert.Equal(DashboardCommand.ExitConfigurationError, badBackend.Exit);
    }

    private static async Task<string> ReadEventAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return line[6..];
            }
        }

        throw new InvalidOperationException("The event stream ended.");
    }
}
