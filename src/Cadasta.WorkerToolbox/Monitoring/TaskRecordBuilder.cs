using System.Globalization;
using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>
/// Builds the record of a platform-queue message the way the Cadasta platform's <c>sync_tasks</c> consumer
/// does (cadasta/tasks/consumer.py): identity and family from the protocol 2 headers, options from the
/// properties plus the scheduling headers that are set.
/// </summary>
internal static class TaskRecordBuilder
{
    /// <summary>The headers the platform copies into the options when they are not None / [None, None].</summary>
    public static readonly IReadOnlyList<string> OptionHeaders = ["eta", "expires", "retries", "timelimit"];

    /// <summary>Checks what the platform reads from the headers before anything else: the task id and name.</summary>
    /// <exception cref="MalformedTaskMessageException">The headers lack a task id or name (protocol 1, or not a Celery task).</exception>
    public static void RequireTaskHeaders(TransportMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        RequiredText(message.Headers, "id");
        RequiredText(message.Headers, "task");
    }

    /// <exception cref="MalformedTaskMessageException">The headers lack a task id or name (protocol 1, or not a Celery task).</exception>
    public static TaskRecord Build(TransportMessage message, TaskArguments arguments, DateTimeOffset created)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(arguments);
        var headers = message.Headers;
        var taskId = RequiredText(headers, "id");
        var taskName = RequiredText(headers, "task");

        var options = new Dictionary<string, object?>(message.Properties, StringComparer.Ordinal);
        foreach (var key in OptionHeaders)
        {
            if (headers.TryGetValue(key, out var value) && !IsUnset(value))
            {
                options[key] = value;
            }
        }

        var record = new TaskRecord
        {
            TaskId = taskId,
            TaskName = taskName,
            Args = arguments.Args,
            Kwargs = arguments.Kwargs,
            Options = options,
            ParentId = OptionalText(headers, "parent_id"),
            // Celery always sends root_id (its own id for a first task); other producers may not.
            RootId = OptionalText(headers, "root_id") ?? taskId,
            CreatorId = Scalar(options, "creator_id"),
            RelatedContentTypeId = Integer(options, "related_content_type_id"),
            RelatedObjectId = Scalar(options, "related_object_id"),
            Created = created.ToUniversalTime(),
        };

        // PostgreSQL refuses NUL in text: such a row could never be written and its message would come back for ever.
        string?[] texts = [record.TaskId, record.TaskName, record.ParentId, record.RootId, record.CreatorId, record.RelatedObjectId];
        if (texts.Any(text => text is not null && text.Contains('\0', StringComparison.Ordinal)))
        {
            throw new MalformedTaskMessageException("a task id, name, family id or related id holds a NUL character");
        }

        return record;
    }

    private static bool IsUnset(object? value) =>
        value is null || (value is IReadOnlyList<object?> { Count: 2 } pair && pair[0] is null && pair[1] is null);

    private static string RequiredText(IReadOnlyDictionary<string, object?> headers, string key)
    {
        if (!headers.TryGetValue(key, out var value) || value is null)
        {
            throw new MalformedTaskMessageException(
                $"the message has no '{key}' header (a protocol 1 message, or not a Celery task); the platform reads task id and name from the headers");
        }

        if (value is not string text || text.Length == 0)
        {
            throw new MalformedTaskMessageException($"the '{key}' header is not a non-empty string");
        }

        return text;
    }

    private static string? OptionalText(IReadOnlyDictionary<string, object?> headers, string key) =>
        headers.TryGetValue(key, out var value) switch
        {
            false => null,
            true when value is null => null,
            true when value is string text => text.Length == 0 ? null : text,
            _ => throw new MalformedTaskMessageException($"the '{key}' header is not a string"),
        };

    private static string? Scalar(Dictionary<string, object?> options, string key) =>
        options.TryGetValue(key, out var value) switch
        {
            true when value is string text => text,
            true when value is long or int or double => Convert.ToString(value, CultureInfo.InvariantCulture),
            _ => null,
        };

    private static long? Integer(Dictionary<string, object?> options, string key) =>
        options.TryGetValue(key, out var value) switch
        {
            true when value is long whole => whole,
            true when value is int small => small,
            true when value is string text && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => null,
        };
}
