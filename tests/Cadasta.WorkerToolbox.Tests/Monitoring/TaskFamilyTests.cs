using Cadasta.WorkerToolbox.Monitoring;

namespace Cadasta.WorkerToolbox.Tests.Monitoring;

public sealed class TaskFamilyTests
{
    private static TrackedTask Task(string status, string name = "export.project") =>
        new(PlatformMessages.Record(Guid.NewGuid().ToString(), name), status);

    [Fact]
    public void No_task_is_pending() =>
        Assert.Equal("PENDING", TaskFamily.ComputeOverallStatus([]));

    [Theory]
    [InlineData("PENDING")]
    [InlineData("STARTED")]
    [InlineData("SUCCESS")]
    [InlineData("FAILURE")]
    [InlineData("RETRY")]
    public void One_distinct_status_is_the_family_status(string status) =>
        Assert.Equal(status, TaskFamily.ComputeOverallStatus([Task(status), Task(status)]));

    [Fact]
    public void Several_statuses_with_a_failure_are_a_failure() =>
        Assert.Equal("FAILURE", TaskFamily.ComputeOverallStatus([Task("SUCCESS"), Task("FAILURE"), Task("STARTED")]));

    [Theory]
    [InlineData("SUCCESS", "STARTED")]
    [InlineData("SUCCESS", "PENDING")]
    [InlineData("SUCCESS", "RETRY")]
    [InlineData("REVOKED", "SUCCESS")]
    public void Several_statuses_without_a_failure_are_started(string first, string second) =>
        Assert.Equal("STARTED", TaskFamily.ComputeOverallStatus([Task(first), Task(second)]));

    [Fact]
    public void Chord_unlock_polls_do_not_count()
    {
        TrackedTask[] family = [Task("SUCCESS"), Task("SUCCESS", "export.utils.create_result"), Task("PENDING", "celery.chord_unlock")];

        Assert.Equal("SUCCESS", TaskFamily.ComputeOverallStatus(family));
    }

    [Fact]
    public void A_family_of_only_chord_unlock_is_pending() =>
        Assert.Equal("PENDING", TaskFamily.ComputeOverallStatus([Task("FAILURE", "celery.chord_unlock")]));

    [Fact]
    public void The_family_exposes_its_computed_status()
    {
        var family = new TaskFamily("root", [Task("SUCCESS"), Task("FAILURE")], ["r"]);

        Assert.Equal("FAILURE", family.OverallStatus);
        Assert.Equal(["r"], family.OverallResults);
    }
}
