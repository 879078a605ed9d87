using System.Text;
using Cadasta.WorkerToolbox.Monitoring;
using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.Tests.Monitoring;

/// <summary>Task messages as they reach the platform queue, shaped after real Celery 5.2.6 output (facts §1.8, §6.5).</summary>
internal static class PlatformMessages
{
    public const string ExportBody =
        """[[], {"org_slug": "org", "project_slug": "prj", "api_key": "tok", "output_type": "xls"}, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]""";

    /// <summary>The platform's <c>export.project</c> message of facts §1.8, as a virtual transport delivers it.</summary>
    public static TransportMessage ExportProject(string id = "11111111-2222-3333-4444-555555555555") => Message(
        ExportBody,
        $$"""
        {"lang": "py", "task": "export.project", "id": "{{id}}",
         "shadow": null, "eta": null, "expires": null, "group": null, "group_index": null, "retries": 0,
         "timelimit": [null, null], "root_id": "{{id}}", "parent_id": null,
         "argsrepr": "()", "kwargsrepr": "{'org_slug': 'org', 'project_slug': 'prj', 'api_key': 'tok', 'output_type': 'xls'}",
         "origin": "gen7802@vm", "ignore_result": false}
        """,
        $$"""
        {"correlation_id": "{{id}}", "reply_to": "2ce21e71-0267-3616-9f45-db4e2e9b0f23",
         "creator_id": "user123", "related_content_type_id": 42, "related_object_id": "prj123",
         "delivery_mode": 2, "delivery_info": {"exchange": "task_exchange", "routing_key": "export"},
         "priority": 0, "body_encoding": "base64", "delivery_tag": "108d1f5f-08cd-4974-9b58-14b349d17e67"}
        """);

    /// <summary>A plain task message with the given family and scheduling headers.</summary>
    public static TransportMessage Task(
        string id,
        string name,
        string? rootId = null,
        string? parentId = null,
        string args = "[]",
        long retries = 0,
        string eta = "null",
        string expires = "null",
        string timelimit = "[null, null]",
        string extraProperties = "") => Message(
        $$"""[{{args}}, {}, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]""",
        $$"""
        {"lang": "py", "task": "{{name}}", "id": "{{id}}", "shadow": null, "eta": {{eta}}, "expires": {{expires}},
         "group": null, "group_index": null, "retries": {{retries}}, "timelimit": {{timelimit}},
         "root_id": "{{rootId ?? id}}", "parent_id": {{(parentId is null ? "null" : $"\"{parentId}\"")}},
         "argsrepr": "()", "kwargsrepr": "{}", "origin": "gen1@vm", "ignore_result": false}
        """,
        $$"""{"correlation_id": "{{id}}", "reply_to": "", "delivery_mode": 2, "priority": 0{{extraProperties}}}""");

    public static TransportMessage Message(string body, string headersJson, string propertiesJson) => new()
    {
        Body = Encoding.UTF8.GetBytes(body),
        ContentType = "application/json",
        ContentEncoding = "utf-8",
        Headers = (IReadOnlyDictionary<string, object?>)JsonColumn.Read(headersJson)!,
        Properties = (IReadOnlyDictionary<string, object?>)JsonColumn.Read(propertiesJson)!,
    };

    public static TaskRecord Record(string id, string name = "msg.add", string? rootId = null, DateTimeOffset? created = null, bool isResult = false) => new()
    {
        TaskId = id,
        TaskName = name,
        Args = [1L, 2L],
        Kwargs = new Dictionary<string, object?>(),
        Options = isResult ? new Dictionary<string, object?> { ["is_result"] = true } : new Dictionary<string, object?>(),
        RootId = rootId ?? id,
        Created = created ?? new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero),
    };
}
