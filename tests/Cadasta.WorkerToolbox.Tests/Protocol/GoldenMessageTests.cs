using System.Numerics;
using System.Text;
using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Routing;
using Microsoft.Extensions.Time.Testing;

namespace Cadasta.WorkerToolbox.Tests.Protocol;

/// <summary>
/// Our planner and encoder, given the inputs of each captured case, produce Celery 5.2.6's
/// messages: routing, content type, every header and property (key order and JSON types
/// included) and the body bytes. Ids are compared after numbering them in order of appearance
/// (the same id must appear in the same places); origin, reply_to and the clock are the
/// fixture's, so everything else is compared exactly.
/// </summary>
public sealed class GoldenMessageTests
{
    private const string T = "aaaaaaaa-0000-4000-8000-000000000001";

    private static Signature Add(params object?[] args) => Signature.Create("msg.add", args);

    public static TheoryData<string> EncodableCases => new(CeleryFixture.Names.Where(n => n != "protocol_v1"));

    public static TheoryData<string> AllCases => new(CeleryFixture.Names);

    internal static Signature InputFor(string name) => name switch
    {
        "plain_args" => Add(1L, 2L).WithOptions(new TaskOptions { TaskId = T }),
        "kwargs_unicode_nested" => Signature.Create("export.project", kwargs: new Dictionary<string, object?>
        {
            ["name"] = "Zoë été 中文 \U0001F600 \"q\" 's' \\ \n\t\u0001\u007f",
            ["nested"] = new Dictionary<string, object?>
            {
                ["list"] = new List<object?> { 1L, 2.5, null, true, false, new List<object?>(), new Dictionary<string, object?>() },
                ["deep"] = new Dictionary<string, object?> { ["a"] = new List<object?> { new Dictionary<string, object?> { ["b"] = "c" } } },
            },
            ["floats"] = new List<object?> { 0.1, 1e16, 1e-07, -0.0, 1.5e300, 123456789.125, 1e15, 0.0001 },
            ["big"] = new List<object?> { long.MaxValue, long.MinValue, BigInteger.Pow(2, 70) },
            ["empty"] = string.Empty,
        }).WithOptions(new TaskOptions { TaskId = T }),
        "countdown" => Add(2L, 3L).WithOptions(new TaskOptions { TaskId = T, Countdown = TimeSpan.FromSeconds(30) }),
        "expires" => Add(4L, 5L).WithOptions(new TaskOptions
        {
            TaskId = T,
            ExpiresAfter = TimeSpan.FromSeconds(600),
            Eta = CeleryFixture.Load("expires").Now.AddSeconds(2.5),
            TimeLimit = TimeSpan.FromSeconds(300),
            SoftTimeLimit = TimeSpan.FromSeconds(240),
            Priority = 5,
            Retries = 2,
            Shadow = "msg.add.shadowed",
        }),
        "link_and_link_error" => Add(1L, 1L)
            .Link(Add(10L))
            .LinkError(Signature.CreateImmutable("export.project", ["failed"]))
            .WithOptions(new TaskOptions { TaskId = T }),
        "chain_of_three" => Signature.Chain(Add(1L, 2L), Add(10L), Signature.CreateImmutable("msg.add", [100L, 100L]))
            .WithOptions(new TaskOptions { TaskId = T }),
        "group" => Signature.Group(Add(1L, 1L), Add(2L, 2L), Signature.Create("export.project"))
            .WithOptions(new TaskOptions { TaskId = T }),
        "chord" => Signature.Chord(
                [Add(1L, 1L), Add(2L, 2L)],
                Signature.CreateImmutable("export.utils.create_result", ["f.zip", "http://z/1"])
                    .WithOptions(new TaskOptions { Queue = "export", Properties = new Dictionary<string, object?> { ["is_result"] = true } }))
            .WithOptions(new TaskOptions { TaskId = T }),
        "custom_options" => Signature.Create("export.project", kwargs: new Dictionary<string, object?>
            {
                ["org_slug"] = "org",
                ["project_slug"] = "prj",
                ["api_key"] = "tok",
                ["output_type"] = "xls",
            })
            .WithOptions(new TaskOptions
            {
                TaskId = T,
                Properties = new Dictionary<string, object?>
                {
                    ["creator_id"] = "user123",
                    ["related_content_type_id"] = 42L,
                    ["related_object_id"] = "prj123",
                    ["is_result"] = true,
                },
            }),
        "long_args_repr" => Signature.Create(
                "msg.noop",
                [Enumerable.Repeat<object?>(new string('x', 100), 12).ToList(), "tail"],
                new Dictionary<string, object?> { ["k"] = new string('v', 2000) })
            .WithOptions(new TaskOptions { TaskId = T }),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no input for this fixture"),
    };

    internal static IReadOnlyList<PlannedMessage> PlanFor(CeleryFixture fixture)
    {
        var counter = 0;
        var planner = new TaskPlanner(
            new FakeTimeProvider(fixture.Now),
            new ProducerIdentity(fixture.Origin, fixture.ReplyTo),
            new FirstSegmentRouter("task_exchange"),
            () => $"00000000-0000-4000-8000-{++counter:000000000000}");
        return planner.Plan(InputFor(fixture.Name));
    }

    [Theory]
    [MemberData(nameof(EncodableCases))]
    public void Planner_and_encoder_reproduce_the_captured_Celery_messages(string name)
    {
        var fixture = CeleryFixture.Load(name);
        var planned = PlanFor(fixture);

        Assert.Equal(fixture.Messages.Count, planned.Count);
        var expected = new List<string>();
        var actual = new List<string>();
        for (var i = 0; i < planned.Count; i++)
        {
            var captured = fixture.Messages[i];
            var ours = planned[i];
            Assert.Equal(new TaskRoute(captured.Exchange, captured.RoutingKey), ours.Route);
            Assert.Equal(captured.ContentType, ours.Message.ContentType);
            Assert.Equal(captured.ContentEncoding, ours.Message.ContentEncoding);
            expected.AddRange([CeleryJson.Serialize(captured.Headers), CeleryJson.Serialize(captured.Properties), captured.BodyRaw]);
            actual.AddRange([CeleryJson.Serialize(ours.Message.Headers), CeleryJson.Serialize(ours.Message.Properties), Encoding.ASCII.GetString(ours.Message.Body.Span)]);
        }

        var expectedCanonical = CeleryFixture.CanonicalIds(expected);
        var actualCanonical = CeleryFixture.CanonicalIds(actual);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expectedCanonical[i], actualCanonical[i]);
        }
    }

    [Theory]
    [InlineData("chain_of_three")]
    [InlineData("chord")]
    [InlineData("plain_args")]
    public void Ids_are_drawn_in_Celerys_order_so_a_counter_gives_the_very_same_ids(string name)
    {
        var fixture = CeleryFixture.Load(name);
        var planned = PlanFor(fixture);
        for (var i = 0; i < planned.Count; i++)
        {
            Assert.Equal(fixture.Messages[i].BodyRaw, Encoding.ASCII.GetString(planned[i].Message.Body.Span));
            Assert.Equal(fixture.Messages[i].Headers["id"], planned[i].Message.Headers["id"]);
        }
    }

    [Theory]
    [MemberData(nameof(EncodableCases))]
    public void Decoding_a_captured_message_gives_the_model_we_encode_from(string name)
    {
        var fixture = CeleryFixture.Load(name);
        var planned = PlanFor(fixture);
        var idMap = new Dictionary<string, string>();
        for (var i = 0; i < planned.Count; i++)
        {
            var result = TaskMessageCodec.Decode(fixture.Messages[i].ToTransportMessage());
            Assert.True(result.IsSuccess, result.ToString());
            var decoded = result.Message;
            var ours = planned[i].Task;
            Assert.Equal(2, decoded.ProtocolVersion);
            Assert.Equal(ours.Task, decoded.Task);
            Assert.Equal(ours.Eta, decoded.Eta);
            Assert.Equal(ours.Expires, decoded.Expires);
            Assert.Equal(ours.Retries, decoded.Retries);
            Assert.Equal(ours.TimeLimit, decoded.TimeLimit);
            Assert.Equal(ours.SoftTimeLimit, decoded.SoftTimeLimit);
            Assert.Equal(ours.GroupIndex, decoded.GroupIndex);
            Assert.Equal(ours.Shadow, decoded.Shadow);
            Assert.Equal(ours.IgnoreResult, decoded.IgnoreResult);
            Assert.Equal(ours.Priority, decoded.Priority);
            Assert.Equal(ours.Expiration, decoded.Expiration);
            Assert.Equal(fixture.Messages[i].Headers["argsrepr"], decoded.ArgsRepr);
            Assert.Equal(fixture.Messages[i].Headers["kwargsrepr"], decoded.KwargsRepr);
            Assert.Equal(fixture.Origin, decoded.Origin);
            Assert.Equal(fixture.ReplyTo, decoded.ReplyTo);
            Assert.Equal(decoded.Id, decoded.CorrelationId);
            Assert.Equal(decoded.Id, decoded.RootId);
            Assert.Null(decoded.ParentId);
            Assert.Equal(CeleryJson.Serialize(ours.CustomProperties), CeleryJson.Serialize(decoded.CustomProperties));

            // Args, kwargs and embed: same JSON once ids are numbered alike.
            string[] ourParts = [CeleryJson.Serialize(ours.Args), CeleryJson.Serialize(ours.Kwargs), CeleryJson.Serialize(ours.Callbacks), CeleryJson.Serialize(ours.Errbacks), CeleryJson.Serialize(ours.Chain), CeleryJson.Serialize(ours.Chord), ours.Id, ours.GroupId ?? "-"];
            string[] decodedParts = [CeleryJson.Serialize(decoded.Args), CeleryJson.Serialize(decoded.Kwargs), CeleryJson.Serialize(decoded.Callbacks), CeleryJson.Serialize(decoded.Errbacks), CeleryJson.Serialize(decoded.Chain), CeleryJson.Serialize(decoded.Chord), decoded.Id, decoded.GroupId ?? "-"];
            Assert.Equal(CeleryFixture.CanonicalIds(ourParts), CeleryFixture.CanonicalIds(decodedParts));
        }
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void Re_encoding_a_decoded_v2_message_gives_back_Celerys_bytes(string name)
    {
        var fixture = CeleryFixture.Load(name);
        foreach (var captured in fixture.Messages)
        {
            var decoded = TaskMessageCodec.Decode(captured.ToTransportMessage());
            Assert.True(decoded.IsSuccess, decoded.ToString());
            if (decoded.Message.ProtocolVersion != 2)
            {
                continue;
            }

            var encoded = TaskMessageCodec.Encode(decoded.Message);
            Assert.Equal(captured.BodyRaw, Encoding.ASCII.GetString(encoded.Body.Span));
            Assert.Equal(CeleryJson.Serialize(captured.Headers), CeleryJson.Serialize(encoded.Headers));
            Assert.Equal(CeleryJson.Serialize(captured.Properties), CeleryJson.Serialize(encoded.Properties));
        }
    }

    [Fact]
    public void Protocol_1_message_is_read_into_the_same_model_as_proto1_to_proto2()
    {
        var fixture = CeleryFixture.Load("protocol_v1");
        var result = TaskMessageCodec.Decode(fixture.Messages[0].ToTransportMessage());

        Assert.True(result.IsSuccess, result.ToString());
        var message = result.Message;
        Assert.Equal(1, message.ProtocolVersion);
        Assert.Equal("msg.noop", message.Task);
        Assert.Equal(T, message.Id);
        Assert.Equal("[1]", CeleryJson.Serialize(message.Args));
        Assert.Equal("{\"k\": \"v\"}", CeleryJson.Serialize(message.Kwargs));
        Assert.Equal("[1]", message.ArgsRepr);
        Assert.Equal("{'k': 'v'}", message.KwargsRepr);
        Assert.Equal(fixture.Now.AddSeconds(10), message.Eta);
        Assert.Null(message.Expires);
        Assert.Null(message.GroupId);
        Assert.Null(message.RootId);
        Assert.Null(message.ParentId);
        Assert.Null(message.Chain);
        Assert.Null(message.Chord);
        Assert.Null(message.Errbacks);
        Assert.Equal(0, message.Retries);
        Assert.Null(message.TimeLimit);
        var callback = Assert.Single(message.Callbacks!);
        Assert.Equal("export.project", callback.Task);
        Assert.Equal([9L], callback.Args);
        Assert.False(callback.Immutable);
        Assert.Equal(T, message.CorrelationId);
        Assert.Equal(fixture.ReplyTo, message.ReplyTo);
    }

    [Fact]
    public void Chain_message_carries_the_rest_last_first_and_the_chain_id_on_the_last_task()
    {
        var fixture = CeleryFixture.Load("chain_of_three");
        var message = Assert.Single(PlanFor(fixture)).Task;

        Assert.NotEqual(T, message.Id);
        Assert.Equal(2, message.Chain!.Count);
        Assert.Equal(T, message.Chain[0].Options["task_id"]);
        Assert.True(message.Chain[0].Immutable);
        Assert.Equal([10L], message.Chain[1].Args);
    }

    [Fact]
    public void Chord_sends_chord_unlock_first_with_a_one_second_countdown_and_no_result()
    {
        var fixture = CeleryFixture.Load("chord");
        var planned = PlanFor(fixture);

        var unlock = planned[0];
        Assert.Equal(TaskPlanner.ChordUnlockTask, unlock.Task.Task);
        Assert.Equal(fixture.Now.AddSeconds(1), unlock.Task.Eta);
        Assert.True(unlock.Task.IgnoreResult);
        Assert.Equal("export", unlock.Queue);
        Assert.Equal(new TaskRoute("task_exchange", "celery"), unlock.Route);
        var groupId = Assert.IsType<string>(unlock.Task.Args[0]);
        Assert.All(planned.Skip(1), header => Assert.Equal(groupId, header.Task.GroupId));
        Assert.Equal([0L, 1L], planned.Skip(1).Select(p => p.Task.GroupIndex!.Value));
        Assert.All(planned.Skip(1), header => Assert.Equal(T, header.Task.Chord!.Options["task_id"]));
    }
}
