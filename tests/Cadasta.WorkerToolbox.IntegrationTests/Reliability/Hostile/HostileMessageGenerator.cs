using System.Globalization;
using System.Text;
using Cadasta.WorkerToolbox.Protocol;

namespace Cadasta.WorkerToolbox.IntegrationTests.Reliability.Hostile;

/// <summary>
/// Generates malformed task messages, deterministically from a seed, interleaved with good
/// <c>msg.add</c> tasks (about one in five). Each message says how the worker must end it.
/// Kinds: invalid JSON, wrong body shapes, missing or mistyped headers, invalid UTF-8, unknown
/// tasks, wrong argument types and counts, pickle (a payload that would touch a file), other
/// content types and encodings, absurd eta/expires/timelimit, 100,000 levels of nesting, huge
/// argument lists, a body over the size limit, and on SQS broken kombu envelopes.
/// </summary>
internal sealed class HostileMessageGenerator(int seed, string runTag, byte[] evilPickle, int oversizeBytes, bool forSqs)
{
    private const string InvalidTask = "InvalidTaskError";
    private readonly Random _random = new(seed);

    public IEnumerable<HostileMessage> Generate(int count)
    {
        var kinds = Kinds();
        for (var i = 0; i < count; i++)
        {
            // One body over the size limit (10 MiB on RabbitMQ) per 1,000 messages: enough to prove the point, not to fill a shared broker's disk.
            if (i % 1000 == 7)
            {
                yield return Json(i, $"fuzz-{runTag}-{i}", "oversize", "[[\"" + new string('A', oversizeBytes) + "\"], {}, {}]", HostileOutcome.Failure(InvalidTask));
                continue;
            }

            if (_random.Next(5) == 0)
            {
                yield return Good(i);
                continue;
            }

            var kind = kinds[_random.Next(kinds.Count)];
            yield return kind.Make(i, $"fuzz-{runTag}-{i}");
        }
    }

    private HostileMessage Good(int i)
    {
        var id = $"good-{runTag}-{i}";
        var message = TaskMessageCodec.Encode(new TaskMessage { Task = "msg.add", Id = id, Args = [(long)i, 1L], Kwargs = new Dictionary<string, object?>() });
        return new(i, "good", id, message.Body.ToArray(), message.ContentType, message.ContentEncoding, With(message.Headers, i), HostileOutcome.Success);
    }

    private List<(string Name, Func<int, string, HostileMessage> Make)> Kinds()
    {
        var kinds = new List<(string, Func<int, string, HostileMessage>)>
        {
            ("invalid-json", (i, id) => Json(i, id, "invalid-json", Pick("[[1, 2], {}, {", "{'python': 'repr'}", "[1, 2,]", "nul", "\"unterminated", "[[1]] extra", ""), HostileOutcome.Failure(InvalidTask))),
            ("invalid-json-no-id", (i, id) => Json(i, null, "invalid-json-no-id", "{{{{not json", HostileOutcome.Dead)),
            ("wrong-shape", (i, id) => Json(i, id, "wrong-shape", Pick("{}", "42", "null", "[[1, 2], {}]", "[1, {}, {}]", "[[], [], {}]", "[[], {}, []]", "[[], {}, {\"chain\": 5}]", "[[], {}, {\"callbacks\": [1]}]"), HostileOutcome.Failure(InvalidTask))),
            ("missing-task-header", (i, id) => Json(i, id, "missing-task-header", "[[1, 2], {}, {}]", HostileOutcome.Failure(InvalidTask), headers: h => h.Remove("task"))),
            ("missing-id-header", (i, id) => Json(i, null, "missing-id-header", "[[1, 2], {}, {}]", HostileOutcome.Dead)),
            ("mistyped-id", (i, id) => Json(i, null, "mistyped-id", "[[1, 2], {}, {}]", HostileOutcome.Dead, headers: h => h["id"] = (long)i)),
            ("mistyped-header", (i, id) => Json(i, id, "mistyped-header", "[[1, 2], {}, {}]", HostileOutcome.Failure(InvalidTask), headers: MistypeOne)),
            ("invalid-utf8", (i, id) => Raw(i, id, "invalid-utf8", [0x5b, 0x5b, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x5d, 0x2c, 0x20, 0x7b, 0x7d, 0x2c, 0x20, 0x7b, 0x7d, 0x5d], "application/json", "utf-8", HostileOutcome.Failure(InvalidTask))),
            ("unknown-task", (i, id) => Json(i, id, "unknown-task", "[[1, 2], {}, {}]", HostileOutcome.Failure("NotRegistered"), name: Pick("msg.nobody", "export.nothing", "", new string('x', 5000), "msg.add\nFAKE LOG LINE"))),
            ("wrong-arguments", (i, id) => Json(i, id, "wrong-arguments", Pick("[[\"a\", {}], {}, {}]", "[[1, 2, 3, 4, 5], {}, {}]", "[[], {}, {}]", "[[1], {\"c\": 3}, {}]", "[[null, true], {}, {}]"), HostileOutcome.Failure())),
            ("pickle", (i, id) => Raw(i, id, "pickle", evilPickle, TaskMessageCodec.PickleContentType, "binary", HostileOutcome.Failure("ContentDisallowed"))),
            ("pickle-no-id", (i, id) => Raw(i, null, "pickle-no-id", evilPickle, TaskMessageCodec.PickleContentType, "binary", HostileOutcome.Dead)),
            ("content-type", (i, id) => Raw(i, id, "content-type", Encoding.UTF8.GetBytes("[[1, 2], {}, {}]"), Pick("application/x-yaml", "application/x-msgpack", "text/plain", "application/json; charset=utf-16"), "utf-8", HostileOutcome.Failure("ContentDisallowed"))),
            ("content-encoding", (i, id) => Raw(i, id, "content-encoding", Encoding.Unicode.GetBytes("[[1, 2], {}, {}]"), "application/json", Pick("utf-16", "latin-1", "binary", "gzip"), HostileOutcome.Failure("ContentDisallowed"))),
            ("absurd-time", (i, id) => AbsurdTime(i, id)),
            ("expired", (i, id) => Json(i, id, "expired", "[[1, 2], {}, {}]", new HostileOutcome(["REVOKED"]), headers: h => h["expires"] = "0001-01-01T00:00:00+00:00")),
            ("past-eta", (i, id) => Json(i, id, "past-eta", "[[1, 2], {}, {}]", HostileOutcome.Success, headers: h => h["eta"] = "1970-01-01T00:00:00")),
            ("deep-nesting", (i, id) => Json(i, id, "deep-nesting", "[[" + new string('[', 100_000) + new string(']', 100_000) + "], {}, {}]", HostileOutcome.Failure(InvalidTask))),
            ("deep-nesting-no-id", (i, id) => Json(i, null, "deep-nesting-no-id", new string('{', 1) + new string('[', 50_000), HostileOutcome.Dead)),
            // On SQS under the lowered size limit (64 KiB) so that the list itself is what fails.
            ("huge-arguments", (i, id) => Json(i, id, "huge-arguments", "[[" + string.Join(", ", Enumerable.Range(0, forSqs ? 9_000 : 30_000)) + "], {}, {}]", HostileOutcome.Failure())),
        };

        if (forSqs)
        {
            kinds.Add(("sqs-broken-envelope", (i, id) => BrokenEnvelope(i)));
        }

        return kinds;
    }

    private HostileMessage BrokenEnvelope(int i)
    {
        var marker = $"fuzz-case-{i}-";
        var body = Pick(
            "not base64, not json: " + marker,
            Convert.ToBase64String(Encoding.UTF8.GetBytes("{broken json " + marker)),
            "[\"" + marker + "\", \"an array, not an object\"]",
            "{\"body\": \"!!!" + marker + "\", \"properties\": {\"delivery_info\": {}, \"body_encoding\": \"base64\"}}",
            "{\"headers\": " + new string('[', 1000) + new string(']', 1000) + ", \"body\": \"" + marker + "\", \"properties\": {\"delivery_info\": {}}}");
        return new(i, "sqs-broken-envelope", null, [], "application/json", "utf-8", new Dictionary<string, object?>(), HostileOutcome.Dead, body);
    }

    private void MistypeOne(Dictionary<string, object?> headers)
    {
        switch (_random.Next(5))
        {
            case 0: headers["task"] = new List<object?> { "msg.add" }; break;
            case 1: headers["retries"] = "three"; break;
            case 2: headers["timelimit"] = "10"; break;
            case 3: headers["eta"] = 12345L; break;
            default: headers["group_index"] = "first"; break;
        }
    }

    private HostileMessage AbsurdTime(int i, string id)
    {
        var choice = _random.Next(6);
        void Edit(Dictionary<string, object?> headers)
        {
            switch (choice)
            {
                case 0: headers["eta"] = "99999-01-01T00:00:00"; break;
                case 1: headers["eta"] = "NaN"; break;
                case 2: headers["expires"] = "-0001-01-01T00:00:00"; break;
                // RabbitMQ 3.10 cannot hold a NaN double in a header table: it closes the publishing channel
                // (function_clause in rabbit_channel), so over AMQP the NaN travels as text.
                case 3: headers["timelimit"] = new List<object?> { forSqs ? double.NaN : "NaN", null }; break;
                case 4: headers["timelimit"] = new List<object?> { -5L, -1L }; break;
                default: headers["timelimit"] = new List<object?> { 1e300, null }; break;
            }
        }

        // On SQS a NaN makes the whole kombu envelope unreadable for our (strict JSON) envelope reader: no id, dead-lettered.
        var expected = forSqs && choice == 3 ? HostileOutcome.Dead : HostileOutcome.Failure(InvalidTask);
        return Json(i, id, "absurd-time", "[[1, 2], {}, {}]", expected, Edit);
    }

    private HostileMessage Json(int i, string? id, string kind, string body, HostileOutcome expected, Action<Dictionary<string, object?>>? headers = null, string name = "msg.add") =>
        Raw(i, id, kind, Encoding.UTF8.GetBytes(body), "application/json", "utf-8", expected, headers, name);

    private static HostileMessage Raw(int i, string? id, string kind, byte[] body, string contentType, string encoding, HostileOutcome expected, Action<Dictionary<string, object?>>? edit = null, string name = "msg.add")
    {
        var headers = new Dictionary<string, object?>(StringComparer.Ordinal) { ["lang"] = "py", ["task"] = name };
        if (id is not null)
        {
            headers["id"] = id;
            headers["root_id"] = id;
        }

        edit?.Invoke(headers);
        return new(i, kind, id, body, contentType, encoding, With(headers, i), expected);
    }

    private static Dictionary<string, object?> With(IReadOnlyDictionary<string, object?> headers, int i) =>
        new(headers, StringComparer.Ordinal) { [HostileMessage.CaseHeader] = i.ToString(CultureInfo.InvariantCulture) };

    private T Pick<T>(params T[] choices) => choices[_random.Next(choices.Length)];
}
