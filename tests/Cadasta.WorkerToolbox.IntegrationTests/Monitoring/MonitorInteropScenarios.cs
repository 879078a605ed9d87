using System.Text.Json.Nodes;
using Cadasta.WorkerToolbox.Monitoring;
using Cadasta.WorkerToolbox.Protocol;

namespace Cadasta.WorkerToolbox.IntegrationTests.Monitoring;

/// <summary>What the monitor must do on every real broker, checked against real Celery 5.2 messages and ours.</summary>
internal static class MonitorInteropScenarios
{
    public static TaskMessage OurTask(string id, string name = "monsend.add") => new()
    {
        Task = name,
        Id = id,
        RootId = id,
        Args = [20L, 22L],
        Kwargs = new Dictionary<string, object?> { ["note"] = "from .NET" },
        Eta = new DateTimeOffset(2026, 11, 28, 9, 34, 16, TimeSpan.Zero).AddTicks(3380060),
        TimeLimit = 300,
        SoftTimeLimit = 240,
        Origin = "gen1@dotnet",
        IgnoreResult = false,
        CustomProperties = new Dictionary<string, object?>
        {
            ["creator_id"] = "user123",
            ["related_content_type_id"] = 42L,
            ["related_object_id"] = "prj123",
            ["is_result"] = true,
        },
    };

    /// <summary>A task sent by Python Celery (<c>send_task</c> with countdown, expires and custom options).</summary>
    public static async Task<TaskRecord> PythonSendIsRecordedAsync(MonitorTestEnvironment environment, bool customOptionsSurvive)
    {
        var id = Guid.NewGuid().ToString();
        await environment.PeerAsync(
            "send", "monsend.add", "--args", "[1, 2]", "--kwargs", "{\"k\": \"v\"}", "--countdown", "3600", "--expires", "7200",
            "--task-id", id, "--option", "creator_id=\"user123\"", "--option", "related_content_type_id=42", "--option", "is_result=true");

        var record = (await environment.WaitForRecordAsync(id)).Record;

        Assert.Equal("monsend.add", record.TaskName);
        Assert.Equal(new object?[] { 1L, 2L }, record.Args);
        Assert.Equal("v", record.Kwargs["k"]);
        Assert.Equal(id, record.RootId);
        Assert.Null(record.ParentId);
        Assert.Equal(id, record.Options["correlation_id"]);
        Assert.Equal(0L, record.Options["retries"]);
        Assert.StartsWith(DateTime.UtcNow.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), (string)record.Options["eta"]!, StringComparison.Ordinal);
        Assert.IsType<string>(record.Options["expires"]);
        Assert.False(record.Options.ContainsKey("timelimit")); // [None, None] is not copied
        if (customOptionsSurvive)
        {
            Assert.Equal("user123", record.CreatorId);
            Assert.Equal(42L, record.RelatedContentTypeId);
            Assert.True(record.IsResult);
        }
        else
        {
            // py-amqp drops properties it does not know before they reach RabbitMQ (facts §1.7): nothing to record.
            Assert.Null(record.CreatorId);
            Assert.False(record.Options.ContainsKey("creator_id"));
        }

        return record;
    }

    public static async Task OurMessageIsRecordedAsync(MonitorTestEnvironment environment)
    {
        var id = Guid.NewGuid().ToString();

        await environment.PublishAsync(OurTask(id));
        var record = (await environment.WaitForRecordAsync(id)).Record;

        Assert.Equal("monsend.add", record.TaskName);
        Assert.Equal(new object?[] { 20L, 22L }, record.Args);
        Assert.Equal("from .NET", record.Kwargs["note"]);
        Assert.Equal("user123", record.CreatorId);
        Assert.Equal(42L, record.RelatedContentTypeId);
        Assert.Equal("prj123", record.RelatedObjectId);
        Assert.True(record.IsResult);
        Assert.Equal("2026-11-28T09:34:16.338006+00:00", record.Options["eta"]);
        Assert.Equal(new object?[] { 300L, 240L }, Assert.IsAssignableFrom<IReadOnlyList<object?>>(record.Options["timelimit"]));
    }

    public static async Task DuplicatesAreRecordedOnceAsync(MonitorTestEnvironment environment)
    {
        var ours = Guid.NewGuid().ToString();
        var theirs = Guid.NewGuid().ToString();
        var marker = Guid.NewGuid().ToString();

        await environment.PublishAsync(OurTask(ours));
        await environment.PublishAsync(OurTask(ours));
        await environment.PublishAsync(OurTask(ours) with { Retries = 1 });
        await environment.PeerAsync("send", "monsend.add", "--args", "[1, 1]", "--task-id", theirs);
        await environment.PeerAsync("send", "monsend.add", "--args", "[1, 1]", "--task-id", theirs);
        await environment.PublishAsync(OurTask(marker));
        await environment.WaitForRecordAsync(marker);

        Assert.Equal(1L, await MonitorTestEnvironment.CountRecordsAsync(ours));
        Assert.Equal(1L, await MonitorTestEnvironment.CountRecordsAsync(theirs));
        Assert.Equal(0L, (await environment.Store.FindAsync(ours))!.Record.Options["retries"]);
        Assert.True(environment.Monitor!.Statistics.AlreadyRecorded >= 3);
    }

    /// <summary>
    /// A real Celery worker runs montest.export_project, which starts a chord whose body has is_result (the export
    /// worker's shape); the monitor records the whole family and the queries give the platform's answers.
    /// </summary>
    public static async Task ExportFamilyFromAPythonWorkerAsync(MonitorTestEnvironment environment, bool customOptionsSurvive)
    {
        await environment.StartPythonWorkerAsync("montest,celery");
        var sent = await environment.PeerAsync(
            "send", "montest.export_project", "--kwargs", """{"org_slug": "org", "project_slug": "prj", "api_key": "tok", "output_type": "xls"}""");
        var rootId = sent!["id"]!.GetValue<string>();

        var family = await WaitForFamilyAsync(environment, rootId, "montest.create_result");

        var names = family.Tasks.Select(task => task.Record.TaskName).ToList();
        Assert.Equal("montest.export_project", names[0]);
        Assert.Equal(2, names.Count(name => name == "montest.add"));
        Assert.Contains("celery.chord_unlock", names);
        Assert.All(family.Tasks.Where(task => task.Record.TaskName == "montest.add"), task => Assert.Equal(rootId, task.Record.ParentId));
        Assert.All(family.Tasks, task => Assert.Equal(rootId, task.Record.RootId));
        Assert.Equal("SUCCESS", family.OverallStatus);
        if (!customOptionsSurvive)
        {
            // Python's is_result never reaches RabbitMQ (py-amqp drops unknown properties), so the family has no
            // result task. A .NET producer's options do survive: send the family's result task ourselves, let the
            // Celery worker run it, and the family reports its result.
            Assert.Empty(family.OverallResults);
            var ours = Guid.NewGuid().ToString();
            await environment.PublishAsync(new TaskMessage
            {
                Task = "montest.create_result",
                Id = ours,
                RootId = rootId,
                ParentId = rootId,
                Args = ["prj.zip", "http://z/1"],
                CustomProperties = new Dictionary<string, object?> { ["is_result"] = true },
            });
            family = await WaitForFamilyAsync(environment, rootId, "montest.create_result", ours);
        }

        Assert.Equal("SUCCESS", family.OverallStatus);
        var result = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(Assert.Single(family.OverallResults));
        var link = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(Assert.Single(Assert.IsAssignableFrom<IEnumerable<object?>>(result["links"])));
        Assert.Equal("prj.zip", link["text"]);
        Assert.Equal("http://z/1", link["url"]);

        // What Python's AsyncResult reads for the result task is what the family reports.
        var resultTask = family.Tasks.Single(task => task.Record.IsResult);
        Assert.Equal("SUCCESS", resultTask.Status);
        var fromPython = await environment.PeerAsync("get", resultTask.Record.TaskId, "--timeout", "10");
        Assert.Equal("prj.zip", fromPython!["result"]!["links"]![0]!["text"]!.GetValue<string>());
    }

    private static async Task<TaskFamily> WaitForFamilyAsync(MonitorTestEnvironment environment, string rootId, string taskName, string? taskId = null)
    {
        TaskFamily? family = null;
        await environment.WaitUntilAsync(
            async () =>
            {
                family = await environment.Queries.GetFamilyAsync(rootId);
                return family.Tasks.Any(task => task.Record.TaskName == taskName && (taskId is null || task.Record.TaskId == taskId) && task.Status == "SUCCESS");
            },
            $"{taskName} of family {rootId} succeeded");
        return family!;
    }
}
