using System.Diagnostics;
using System.Numerics;
using System.Text;
using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Routing;

namespace Cadasta.WorkerToolbox.IntegrationTests.Protocol;

/// <summary>
/// Real Celery 5.2.6 / kombu 5.2.4 (Debian's /usr/bin/python3) reads what we write:
/// tests/interop/check_protocol_messages.py re-dumps our JSON and re-computes saferepr, and builds
/// Celery's worker <c>Request</c> from our planned messages.
/// </summary>
public sealed class CeleryReadsOurMessagesTests
{
    private const string Python = "/usr/bin/python3";

    [Fact]
    public async Task Kombu_dumps_and_Celery_saferepr_agree_byte_for_byte_on_random_values()
    {
        var random = new Random(20261128);
        var lines = new List<string>();
        for (var i = 0; i < 1500; i++)
        {
            var args = Enumerable.Range(0, random.Next(0, 6)).Select(_ => Value(random, 4)).ToList();
            var kwargs = Object(random, 4);
            var message = TaskMessageCodec.Encode(new TaskMessage { Task = "msg.add", Id = "x", Args = args, Kwargs = kwargs });
            lines.Add(CeleryJson.Serialize(new Dictionary<string, object?>
            {
                ["kind"] = "json",
                ["body"] = Encoding.ASCII.GetString(message.Body.Span),
                ["argsrepr"] = message.Headers["argsrepr"],
                ["kwargsrepr"] = message.Headers["kwargsrepr"],
            }));
        }

        var answers = await RunCheckerAsync(lines);
        for (var i = 0; i < lines.Count; i++)
        {
            Assert.True(answers[i]["ok"] is true, $"Python disagrees on {lines[i]}: {CeleryJson.Serialize(answers[i])}");
        }
    }

    [Fact]
    public async Task Celerys_worker_request_understands_every_message_we_plan()
    {
        var now = TimeProvider.System.GetUtcNow();
        var planner = new TaskPlanner(TimeProvider.System, ProducerIdentity.ForCurrentProcess(), new FirstSegmentRouter("task_exchange"));
        Signature Add(params object?[] args) => Signature.Create("msg.add", args);
        var inputs = new (Signature Signature, TaskLineage? Lineage)[]
        {
            (Add(1L, 2L), null),
            (Add(1L, 2L).WithOptions(new TaskOptions { Countdown = TimeSpan.FromSeconds(1.5) }), null),
            (Add(4L, 5L).WithOptions(new TaskOptions
            {
                ExpiresAfter = TimeSpan.FromSeconds(600), Eta = now.ToOffset(TimeSpan.FromHours(2)).AddTicks(1234567),
                TimeLimit = TimeSpan.FromSeconds(300), SoftTimeLimit = TimeSpan.FromSeconds(240), Priority = 5, Retries = 2, Shadow = "msg.add.shadowed",
            }), null),
            (Add(1L, 1L).Link(Add(10L)).LinkError(Signature.CreateImmutable("export.project", ["failed"])), new TaskLineage("parent-id", "root-id")),
            (Signature.Chain(Add(1L, 2L), Add(10L), Signature.CreateImmutable("msg.add", [100L, 100L])), null),
            (Signature.Group(Add(1L, 1L), Add(2L, 2L)), null),
            (Signature.Chord([Add(1L, 1L), Add(2L, 2L)], Signature.CreateImmutable("export.utils.create_result", ["f.zip", "http://z/1"])
                .WithOptions(new TaskOptions { Queue = "export", Properties = new Dictionary<string, object?> { ["is_result"] = true } })), null),
            (Signature.Create("export.project", kwargs: new Dictionary<string, object?> { ["name"] = "Zoë \U0001F600 'q'", ["when"] = now, ["n"] = 1.5m })
                .WithOptions(new TaskOptions { Properties = new Dictionary<string, object?> { ["creator_id"] = "u", ["related_content_type_id"] = 42L } }), null),
        };
        var planned = inputs.SelectMany(input => planner.Plan(input.Signature, input.Lineage)).ToList();
        var lines = planned.Select(p => CeleryJson.Serialize(new Dictionary<string, object?>
        {
            ["kind"] = "message",
            ["content_type"] = p.Message.ContentType,
            ["content_encoding"] = p.Message.ContentEncoding,
            ["headers"] = p.Message.Headers,
            ["properties"] = p.Message.Properties,
            ["body"] = Encoding.ASCII.GetString(p.Message.Body.Span),
        })).ToList();

        var answers = await RunCheckerAsync(lines);
        for (var i = 0; i < planned.Count; i++)
        {
            var ours = planned[i].Task;
            var celery = answers[i];
            Assert.True(celery["ok"] is true, CeleryJson.Serialize(celery));
            Assert.Equal(ours.Id, celery["id"]);
            Assert.Equal(ours.Shadow ?? ours.Task, celery["name"]);
            Assert.Equal(ours.Eta is { } eta ? CeleryTimestamp.FormatIso(eta) : null, celery["eta"]);
            Assert.Equal(ours.Expires is { } expires ? CeleryTimestamp.FormatIso(expires) : null, celery["expires"]);
            Assert.Equal(CeleryJson.Serialize(ours.Args), CeleryJson.Serialize(celery["args"]));
            Assert.Equal(CeleryJson.Serialize(ours.Kwargs), CeleryJson.Serialize(celery["kwargs"]));
            Assert.Equal(planned[i].Message.Headers["argsrepr"], celery["argsrepr"]);
            Assert.Equal(planned[i].Message.Headers["kwargsrepr"], celery["kwargsrepr"]);
            Assert.Equal(ours.RootId, celery["root_id"]);
            Assert.Equal(ours.ParentId, celery["parent_id"]);
            Assert.Equal(ours.GroupId, celery["group"]);
            Assert.Equal(ours.GroupIndex, celery["group_index"]);
            Assert.Equal(CeleryJson.Serialize(planned[i].Message.Headers["timelimit"]), CeleryJson.Serialize(celery["time_limits"]));
            Assert.Equal(ours.IgnoreResult, celery["ignore_result"]);
            Assert.Equal(ours.Id, celery["correlation_id"]);
            Assert.Equal(ours.ReplyTo, celery["reply_to"]);
            Assert.Equal(CeleryJson.Serialize(ours.Callbacks), CeleryJson.Serialize(celery["callbacks"]));
            Assert.Equal(CeleryJson.Serialize(ours.Errbacks), CeleryJson.Serialize(celery["errbacks"]));
            Assert.Equal(CeleryJson.Serialize(ours.Chain), CeleryJson.Serialize(celery["chain"]));
            Assert.Equal(CeleryJson.Serialize(ours.Chord), CeleryJson.Serialize(celery["chord"]));
        }
    }

    private static object? Value(Random random, int depth) => random.Next(depth <= 0 ? 8 : 10) switch
    {
        0 => null,
        1 => random.Next(2) == 0,
        2 => random.NextInt64(long.MinValue, long.MaxValue),
        3 => BitConverter.Int64BitsToDouble(random.NextInt64()), // any double, NaN and infinities included
        4 => new[] { 1e16, 1e-7, -0.0, 0.1, 1e15, 0.0001, 5e-324, 123456789.125 }[random.Next(8)],
        5 => BigInteger.Pow(2, 64 + random.Next(100)) * (random.Next(2) == 0 ? 1 : -1),
        6 or 7 => Text(random),
        8 => Enumerable.Range(0, random.Next(0, 5)).Select(_ => Value(random, depth - 1)).ToList(),
        _ => Object(random, depth - 1),
    };

    private static Dictionary<string, object?> Object(Random random, int depth)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (var i = random.Next(0, 5); i > 0; i--)
        {
            map[Text(random)] = Value(random, depth);
        }

        return map;
    }

    private static string Text(Random random)
    {
        var builder = new StringBuilder();
        for (var i = random.Next(0, 30); i > 0; i--)
        {
            var point = random.Next(6) switch
            {
                0 or 1 or 2 => random.Next(0x20, 0x7F),
                3 => random.Next(0, 0x20),
                4 => random.Next(0x80, 0xD800),
                _ => random.Next(0x10000, 0x110000),
            };
            builder.Append(char.ConvertFromUtf32(point));
        }

        return builder.ToString();
    }

    private static async Task<List<IReadOnlyDictionary<string, object?>>> RunCheckerAsync(IReadOnlyList<string> lines)
    {
        if (!File.Exists(Python))
        {
            Assert.Fail($"{Python} (Debian's Python with celery 5.2.6) is missing: install it with scripts/services/install.");
        }

        var script = FindScript();
        var start = new ProcessStartInfo(Python)
        {
            ArgumentList = { script },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            foreach (var line in lines)
            {
                await process.StandardInput.WriteLineAsync(line);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The checker died early; its exit code and stderr below say why.
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var answers = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => (IReadOnlyDictionary<string, object?>)CeleryJson.Parse(line)!).ToList();
        Assert.True(process.ExitCode == 0 && answers.Count == lines.Count,
            $"{script} failed (exit {process.ExitCode}, {answers.Count}/{lines.Count} answers; is celery installed for {Python}?): {await error}");
        return answers;
    }

    private static string FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "interop", "check_protocol_messages.py");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("tests/interop/check_protocol_messages.py not found above " + AppContext.BaseDirectory);
    }
}
