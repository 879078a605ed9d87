using System.Collections.Concurrent;
using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Tests.Worker.Harness;
using Cadasta.WorkerToolbox.Worker;
using Cadasta.WorkerToolbox.Worker.Demo;

namespace Cadasta.WorkerToolbox.Tests.Worker;

/// <summary>The producer and the worker together on the memory transport: routing, canvases, the demo export.</summary>
public sealed class ProducerAndCanvasTests
{
    [Fact]
    public async Task Send_task_declares_the_topology_lazily_routes_by_first_segment_and_the_platform_queue_gets_a_copy()
    {
        await using var harness = new WorkerHarness();
        Assert.Equal(0, harness.Transport.DeclareCalls);

        var id = await harness.Producer.SendTaskAsync("export.project", kwargs: new Dictionary<string, object?> { ["org_slug"] = "org" });

        Assert.Equal(1, harness.Transport.DeclareCalls);
        Assert.Equal(1, harness.Count("export"));
        Assert.Equal(1, harness.Count("platform.fifo"));
        Assert.Equal(0, harness.Count("msg"));
        var sent = Assert.Single(harness.Sent);
        Assert.Equal(id, sent.Id);
        Assert.Equal(id, sent.RootId);

        await harness.Producer.SendTaskAsync("msg.noop");
        Assert.Equal(1, harness.Transport.DeclareCalls);
    }

    [Fact]
    public async Task A_chain_sent_by_the_producer_completes_and_its_id_is_the_last_tasks()
    {
        await using var harness = new WorkerHarness();
        harness.Registry.Register("msg.add", (long a, long b) => a + b);
        await harness.StartAsync();

        var id = await harness.Producer.SendAsync(Signature.Chain(
            Signature.Create("msg.add", [1L, 2L]),
            Signature.Create("msg.add", [10L]),
            Signature.Create("msg.add", [100L])));

        Assert.Equal(113L, (await harness.WaitForStateAsync(id, "SUCCESS")).Value);
    }

    [Fact]
    public async Task A_chord_sent_by_the_producer_is_unlocked_by_the_worker_and_the_body_gets_the_header_results()
    {
        await using var harness = new WorkerHarness();
        harness.Registry.Register("msg.add", (long a, long b) => a + b);
        var bodyArgs = new ConcurrentQueue<List<long>>();
        harness.Registry.Register("msg.collect", (List<long> results) => { bodyArgs.Enqueue(results); return results.Sum(); });
        harness.Options = harness.Options with { Concurrency = 2 };
        await harness.StartAsync();

        var bodyId = await harness.Producer.SendAsync(Signature.Chord(
            [Signature.Create("msg.add", [1L, 1L]), Signature.Create("msg.add", [2L, 2L]), Signature.Create("msg.add", [3L, 3L])],
            Signature.Create("msg.collect")));

        // chord_unlock waits one interval (countdown 1 s) between polls: move the fake clock on until the body ran.
        await harness.AdvanceUntilAsync(() => harness.Results.History(bodyId).Contains("SUCCESS"), TimeSpan.FromSeconds(1), "the chord body");
        Assert.Equal(12L, (await harness.Results.GetAsync(bodyId, default)).Value);
        Assert.Equal([new List<long> { 2, 4, 6 }], bodyArgs);
        var unlock = harness.Sent.First(s => s.Name == "celery.chord_unlock");
        Assert.Equal(unlock.Id, Assert.Single(harness.Sent, s => s.Id == bodyId).ParentId);
    }

    [Fact]
    public async Task Export_project_runs_a_chord_whose_result_task_carries_the_exports_callbacks()
    {
        await using var harness = new WorkerHarness();
        DemoTasks.Register(harness.Registry, harness.Time);
        var platformSaw = new ConcurrentQueue<object?>();
        harness.Registry.Register("export.platform_callback", (Dictionary<string, object?> result) => platformSaw.Enqueue(result));
        harness.Options = harness.Options with { Concurrency = 2 };
        await harness.StartAsync();

        var exportId = await harness.Producer.SendAsync(
            Signature.Create("export.project", kwargs: new Dictionary<string, object?>
            {
                ["org_slug"] = "org",
                ["project_slug"] = "prj",
                ["api_key"] = "key",
                ["output_type"] = "all",
            }).Link(Signature.Create("export.platform_callback")));

        Assert.Equal(true, (await harness.WaitForStateAsync(exportId, "SUCCESS")).Value);
        await harness.AdvanceUntilAsync(() => !platformSaw.IsEmpty, TimeSpan.FromSeconds(1), "the platform's callback");

        var header = harness.Sent.Where(s => s.Name.StartsWith("export.project.", StringComparison.Ordinal)).Select(s => s.Name).ToList();
        Assert.Equal(["export.project.xls", "export.project.shp", "export.project.resources"], header);
        var result = Assert.Single(harness.Sent, s => s.Name == "export.utils.create_result");
        Assert.Equal(true, result.Properties["is_result"]);
        Assert.Equal("export.platform_callback", Assert.Single(result.Callbacks!)["task"]);
        var expected = new Dictionary<string, object?>
        {
            ["links"] = new List<object?> { new Dictionary<string, object?> { ["text"] = "prj_all.zip", ["url"] = "https://exports.invalid/org/prj/prj_all.zip" } },
        };
        Assert.Equal([expected], platformSaw);
        Assert.Equal(expected, (await harness.Results.GetAsync(result.Id, default)).Value);
        var callback = Assert.Single(harness.Sent, s => s.Name == "export.platform_callback");
        Assert.Equal(result.Id, callback.ParentId);
    }

    [Fact]
    public async Task Export_project_with_an_unknown_output_type_fails_and_its_errbacks_fire()
    {
        await using var harness = new WorkerHarness();
        DemoTasks.Register(harness.Registry, harness.Time);
        var failures = new ConcurrentQueue<string>();
        harness.Registry.Register("export.platform_errback", (string taskId) => failures.Enqueue(taskId));
        await harness.StartAsync();

        var exportId = await harness.Producer.SendAsync(
            Signature.Create("export.project", ["org", "prj", "key", "pdf"]).LinkError(Signature.Create("export.platform_errback")));

        var stored = await harness.WaitForStateAsync(exportId, "FAILURE");
        Assert.Equal("ValueError", stored.Error!.Type);
        await WorkerHarness.WaitUntilAsync(() => !failures.IsEmpty, "the errback");
        Assert.Equal([exportId], failures);
    }
}
