using Cadasta.WorkerToolbox.Monitoring;

namespace Cadasta.WorkerToolbox.Tests.Monitoring;

public sealed class TaskRecordBuilderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 0, 0, TimeSpan.FromHours(2));

    private static TaskArguments Arguments(params object?[] args) => new(args, new Dictionary<string, object?> { ["k"] = "v" });

    [Fact]
    public void Records_every_field_of_the_platform_export_message()
    {
        var message = PlatformMessages.ExportProject();

        var record = TaskRecordBuilder.Build(message, Arguments(), Now);

        Assert.Equal("11111111-2222-3333-4444-555555555555", record.TaskId);
        Assert.Equal("export.project", record.TaskName);
        Assert.Null(record.ParentId);
        Assert.Equal("11111111-2222-3333-4444-555555555555", record.RootId);
        Assert.Equal("user123", record.CreatorId);
        Assert.Equal(42L, record.RelatedContentTypeId);
        Assert.Equal("prj123", record.RelatedObjectId);
        Assert.Equal(Now.ToUniversalTime(), record.Created);
        Assert.Equal(TimeSpan.Zero, record.Created.Offset);
        Assert.Equal("v", record.Kwargs["k"]);

        // Options: every property, plus retries (0 is set); eta/expires None and timelimit [None, None] are not.
        var expected = new[]
        {
            "body_encoding", "correlation_id", "creator_id", "delivery_info", "delivery_mode", "delivery_tag",
            "priority", "related_content_type_id", "related_object_id", "reply_to", "retries",
        };
        Assert.Equal(expected, record.Options.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0L, record.Options["retries"]);
        Assert.Equal(42L, record.Options["related_content_type_id"]);
        var deliveryInfo = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(record.Options["delivery_info"]);
        Assert.Equal("export", deliveryInfo["routing_key"]);
        Assert.False(record.IsResult);
    }

    [Fact]
    public void Copies_set_scheduling_headers_into_the_options()
    {
        var message = PlatformMessages.Task(
            "t1", "msg.add", rootId: "r1", parentId: "p1", retries: 3,
            eta: "\"2026-11-28T09:34:16.338006+00:00\"", expires: "\"2026-11-28T10:34:16.338006+00:00\"", timelimit: "[300, 240]",
            extraProperties: ", \"is_result\": true");

        var record = TaskRecordBuilder.Build(message, Arguments(1L), Now);

        Assert.Equal("2026-11-28T09:34:16.338006+00:00", record.Options["eta"]);
        Assert.Equal("2026-11-28T10:34:16.338006+00:00", record.Options["expires"]);
        Assert.Equal(3L, record.Options["retries"]);
        Assert.Equal(new object?[] { 300L, 240L }, Assert.IsAssignableFrom<IReadOnlyList<object?>>(record.Options["timelimit"]));
        Assert.Equal("p1", record.ParentId);
        Assert.Equal("r1", record.RootId);
        Assert.True(record.IsResult);
    }

    [Fact]
    public void A_half_set_time_limit_is_copied()
    {
        var record = TaskRecordBuilder.Build(PlatformMessages.Task("t1", "msg.add", timelimit: "[null, 240]"), Arguments(), Now);

        Assert.Equal(new object?[] { null, 240L }, Assert.IsAssignableFrom<IReadOnlyList<object?>>(record.Options["timelimit"]));
    }

    [Fact]
    public void A_message_without_a_root_id_is_its_own_root()
    {
        var message = PlatformMessages.Message(PlatformMessages.ExportBody, """{"task": "x.y", "id": "abc"}""", "{}");

        var record = TaskRecordBuilder.Build(message, Arguments(), Now);

        Assert.Equal("abc", record.RootId);
        Assert.Empty(record.Options);
    }

    [Fact]
    public void Numeric_creator_and_object_ids_are_kept_as_text_and_a_numeric_text_content_type_as_a_number()
    {
        var message = PlatformMessages.Task("t1", "msg.add",
            extraProperties: ", \"creator_id\": 7, \"related_object_id\": 9, \"related_content_type_id\": \"12\"");

        var record = TaskRecordBuilder.Build(message, Arguments(), Now);

        Assert.Equal("7", record.CreatorId);
        Assert.Equal("9", record.RelatedObjectId);
        Assert.Equal(12L, record.RelatedContentTypeId);
    }

    [Theory]
    [InlineData("""{}""", "'id' header")]
    [InlineData("""{"id": "abc"}""", "'task' header")]
    [InlineData("""{"id": 5, "task": "x"}""", "'id' header is not a non-empty string")]
    [InlineData("""{"id": "", "task": "x"}""", "'id' header is not a non-empty string")]
    [InlineData("""{"id": "a", "task": "x", "root_id": 3}""", "'root_id' header is not a string")]
    [InlineData("""{"id": "a", "task": "x\u0000y"}""", "NUL character")]
    public void A_message_without_usable_task_headers_is_malformed(string headers, string reason)
    {
        var message = PlatformMessages.Message(PlatformMessages.ExportBody, headers, "{}");

        var error = Assert.Throws<MalformedTaskMessageException>(() => TaskRecordBuilder.Build(message, Arguments(), Now));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
