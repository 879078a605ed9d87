using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Routing;
using Microsoft.Extensions.Time.Testing;

namespace Cadasta.WorkerToolbox.Tests.Protocol;

public sealed class TaskPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

    private static TaskPlanner Planner()
    {
        var counter = 0;
        return new TaskPlanner(new FakeTimeProvider(Now), new ProducerIdentity("gen1@host", "reply"), new FirstSegmentRouter("task_exchange"),
            () => $"id-{++counter}");
    }

    [Fact]
    public void A_root_task_is_its_own_root_and_has_no_parent()
    {
        var message = Assert.Single(Planner().Plan(Signature.Create("msg.add", [1L]))).Task;
        Assert.Equal("id-1", message.Id);
        Assert.Equal("id-1", message.RootId);
        Assert.Null(message.ParentId);
        Assert.Equal("gen1@host", message.Origin);
        Assert.Equal("reply", message.ReplyTo);
        Assert.Equal("py", message.Lang);
    }

    [Fact]
    public void A_task_sent_from_a_running_task_gets_its_id_as_parent_and_its_root()
    {
        var message = Assert.Single(Planner().Plan(Signature.Create("msg.add"), new TaskLineage("parent", "root"))).Task;
        Assert.Equal("parent", message.ParentId);
        Assert.Equal("root", message.RootId);
    }

    [Fact]
    public void Countdown_zero_means_no_eta_as_in_Celery()
    {
        var message = Assert.Single(Planner().Plan(Signature.Create("msg.add").WithOptions(new TaskOptions { Countdown = TimeSpan.Zero }))).Task;
        Assert.Null(message.Eta);
    }

    [Fact]
    public void Absolute_expiry_sets_the_header_and_the_expiration_property_in_milliseconds()
    {
        var planned = Assert.Single(Planner().Plan(Signature.Create("msg.add").WithOptions(new TaskOptions { ExpiresAt = Now.AddSeconds(90.5) })));
        Assert.Equal("2026-11-28T09:01:30.500000+00:00", planned.Message.Headers["expires"]);
        Assert.Equal("90500", planned.Message.Properties["expiration"]);
    }

    [Fact]
    public void Expiry_in_the_past_gives_expiration_zero_as_Celery()
    {
        var planned = Assert.Single(Planner().Plan(Signature.Create("msg.add").WithOptions(new TaskOptions { ExpiresAt = Now.AddSeconds(-5) })));
        Assert.Equal("0", planned.Message.Properties["expiration"]);
    }

    [Fact]
    public void Fractional_countdown_keeps_microseconds()
    {
        var planned = Assert.Single(Planner().Plan(Signature.Create("msg.add").WithOptions(new TaskOptions { Countdown = TimeSpan.FromMilliseconds(1500.25) })));
        Assert.Equal("2026-11-28T09:00:01.500250+00:00", planned.Message.Headers["eta"]);
    }

    [Fact]
    public void Routing_key_and_exchange_options_override_the_router()
    {
        var planned = Assert.Single(Planner().Plan(Signature.Create("export.project").WithOptions(new TaskOptions { RoutingKey = "msg", Queue = "msg" })));
        Assert.Equal(new TaskRoute("task_exchange", "msg"), planned.Route);
        Assert.Equal("msg", planned.Queue);
        Assert.False(planned.Message.Properties.ContainsKey("queue"));
    }

    [Fact]
    public void Custom_options_are_properties_with_their_json_types_not_headers()
    {
        var planned = Assert.Single(Planner().Plan(Signature.Create("export.project").WithOption("is_result", true).WithOption("creator_id", 7)));
        Assert.Equal(true, planned.Message.Properties["is_result"]);
        Assert.Equal(7L, planned.Message.Properties["creator_id"]);
        Assert.False(planned.Message.Headers.ContainsKey("is_result"));
    }

    [Fact]
    public void A_custom_option_cannot_overwrite_a_standard_property()
    {
        var exception = Assert.Throws<TaskEncodingException>(() => Planner().Plan(Signature.Create("a").WithOption("delivery_tag", "x")));
        Assert.Equal("Custom property 'delivery_tag' would overwrite the standard message property of that name.", exception.Message);
    }

    [Fact]
    public void Link_on_a_chord_goes_to_its_body_and_link_error_on_a_chain_to_every_task()
    {
        var chord = Signature.Chord([Signature.Create("a.x")], Signature.Create("b.y")).Link(Signature.Create("c.z"));
        Assert.Equal("c.z", Assert.Single(Signature.ReadList(chord.ChordBody!.Options["link"], "link")).Task);

        var chain = Signature.Chain(Signature.Create("a.x"), Signature.Create("b.y")).LinkError(Signature.Create("err.e"));
        Assert.All(chain.Tasks, t => Assert.Equal("err.e", Assert.Single(Signature.ReadList(t.Options["link_error"], "link_error")).Task));
    }

    [Fact]
    public void Link_on_a_group_goes_to_the_first_task_made_immutable()
    {
        var group = Signature.Group(Signature.Create("a.x"), Signature.Create("a.y")).Link(Signature.Create("c.z"));
        var link = Assert.Single(Signature.ReadList(group.Tasks[0].Options["link"], "link"));
        Assert.True(link.Immutable);
        Assert.False(group.Tasks[1].Options.ContainsKey("link"));
    }

    [Fact]
    public void A_chord_with_an_empty_header_sends_its_body_with_an_empty_result_list()
    {
        var message = Assert.Single(Planner().Plan(Signature.Chord([], Signature.Create("b.y", [1L])))).Task;
        Assert.Equal("b.y", message.Task);
        Assert.Equal("[[], 1]", CeleryJson.Serialize(message.Args));
    }

    [Fact]
    public void Chord_header_members_of_a_lineage_keep_its_root()
    {
        var planned = Planner().Plan(Signature.Chord([Signature.Create("a.x"), Signature.Create("a.y")], Signature.Create("b.y")), new TaskLineage("p", "r"));
        Assert.Equal(3, planned.Count);
        Assert.All(planned, p => Assert.Equal("r", p.Task.RootId));
        Assert.All(planned, p => Assert.Equal("p", p.Task.ParentId));
    }

    [Fact]
    public void Nested_composites_are_refused_with_a_clear_message()
    {
        var nested = Signature.Chain(Signature.Create("a.x"), Signature.Group(Signature.Create("b.y")));
        var exception = Assert.Throws<NotSupportedException>(() => Planner().Plan(nested));
        Assert.Equal("A group inside a chain is not supported by the planner yet; only plain task signatures can be members.", exception.Message);
    }

    [Fact]
    public void Partial_args_are_prepended_unless_immutable()
    {
        Assert.Equal([4L, 10L], Signature.Create("a", [10L]).WithPartialArgs([4L]).Args);
        Assert.Equal([10L], Signature.CreateImmutable("a", [10L]).WithPartialArgs([4L]).Args);
    }

    [Fact]
    public void A_signature_dict_round_trips_and_composites_keep_their_members()
    {
        var chord = Signature.Chord([Signature.Create("a.x", [1L])], Signature.CreateImmutable("b.y")).WithOptions(new TaskOptions { TaskId = "t" });
        var dictionary = (IReadOnlyDictionary<string, object?>)CeleryJson.Parse(CeleryJson.Serialize(chord))!;
        var back = Signature.FromDictionary(dictionary);

        Assert.Equal(CeleryJson.Serialize(chord), CeleryJson.Serialize(back));
        Assert.Equal("celery.chord", back.Task);
        Assert.Equal(Signature.ChordType, back.SubtaskType);
        Assert.Equal("a.x", Assert.Single(back.ChordHeader).Task);
        Assert.True(back.ChordBody!.Immutable);
        Assert.Equal(
            "{\"task\": \"celery.chord\", \"args\": [], \"kwargs\": {\"kwargs\": {}, \"header\": [{\"task\": \"a.x\", \"args\": [1], \"kwargs\": {}, \"options\": {}, \"subtask_type\": null, \"immutable\": false}], " +
            "\"body\": {\"task\": \"b.y\", \"args\": [], \"kwargs\": {}, \"options\": {}, \"subtask_type\": null, \"immutable\": true}}, \"options\": {\"task_id\": \"t\"}, \"subtask_type\": \"chord\", \"immutable\": false}",
            CeleryJson.Serialize(chord));
    }

    [Fact]
    public void Chain_and_group_dicts_are_byte_identical_to_Celerys()
    {
        // Printed by kombu dumps(chain(...)) / dumps(group(...)) in Celery 5.2.6.
        Assert.Equal(
            "{\"task\": \"celery.chain\", \"args\": [], \"kwargs\": {\"tasks\": [{\"task\": \"a.x\", \"args\": [], \"kwargs\": {}, \"options\": {}, \"subtask_type\": null, \"immutable\": false}, " +
            "{\"task\": \"b.y\", \"args\": [], \"kwargs\": {}, \"options\": {}, \"subtask_type\": null, \"immutable\": false}]}, \"options\": {}, \"subtask_type\": \"chain\", \"immutable\": false}",
            CeleryJson.Serialize(Signature.Chain(Signature.Create("a.x"), Signature.Create("b.y"))));
        Assert.Equal(
            "{\"task\": \"celery.group\", \"args\": [], \"kwargs\": {\"tasks\": [{\"task\": \"a.x\", \"args\": [], \"kwargs\": {}, \"options\": {}, \"subtask_type\": null, \"immutable\": false}, " +
            "{\"task\": \"b.y\", \"args\": [], \"kwargs\": {}, \"options\": {}, \"subtask_type\": null, \"immutable\": false}]}, \"options\": {}, \"subtask_type\": \"group\", \"immutable\": false}",
            CeleryJson.Serialize(Signature.Group(Signature.Create("a.x"), Signature.Create("b.y"))));
    }

    [Fact]
    public void The_documented_example_builds_a_chord_and_plans_its_messages()
    {
        var chord = Signature.Chord([Signature.Create("msg.add", [1L, 1L]), Signature.Create("msg.add", [2L, 2L])],
            Signature.CreateImmutable("export.utils.create_result", ["f.zip"]).WithOptions(new TaskOptions { Queue = "export", Properties = new Dictionary<string, object?> { ["is_result"] = true } }));
        IReadOnlyList<PlannedMessage> messages = new TaskPlanner(TimeProvider.System, ProducerIdentity.ForCurrentProcess(), new FirstSegmentRouter("task_exchange")).Plan(chord);

        Assert.Equal([TaskPlanner.ChordUnlockTask, "msg.add", "msg.add"], messages.Select(m => m.Task.Task));
        Assert.Equal(["celery", "msg", "msg"], messages.Select(m => m.Route!.Value.RoutingKey));
        Assert.Matches("^gen[0-9]+@.+$", (string)messages[0].Message.Headers["origin"]!);
    }

    [Fact]
    public void A_worker_sends_the_next_chain_step_as_Celery_does()
    {
        // facts 1.6: after add(1, 2) returns 3, the next message is [[3, 10], {}, {... "chain": [<add.si(100, 100)>] ...}].
        var first = Assert.Single(Planner().Plan(Signature.Chain(Signature.Create("msg.add", [1L, 2L]), Signature.Create("msg.add", [10L]),
            Signature.CreateImmutable("msg.add", [100L, 100L])))).Task;
        var remaining = first.Chain!.ToList();
        var next = remaining[^1];
        remaining.RemoveAt(remaining.Count - 1);

        var step = Assert.Single(Planner().Plan(next.WithPartialArgs([3L]).WithOption("chain", remaining), new TaskLineage(first.Id, first.RootId!))).Task;

        Assert.Equal("[3, 10]", CeleryJson.Serialize(step.Args));
        Assert.Equal(next.Options["task_id"], step.Id);
        Assert.Equal(first.Id, step.ParentId);
        Assert.Equal(first.RootId, step.RootId);
        Assert.Equal([100L, 100L], Assert.Single(step.Chain!).Args);
        var last = Assert.Single(Planner().Plan(step.Chain![0].WithPartialArgs([13L]).WithOption("chain", new List<object?>()))).Message;
        Assert.EndsWith("\"chain\": [], \"chord\": null}]", System.Text.Encoding.ASCII.GetString(last.Body.Span), StringComparison.Ordinal);
    }
}
