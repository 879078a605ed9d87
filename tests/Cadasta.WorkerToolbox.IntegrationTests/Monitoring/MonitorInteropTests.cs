namespace Cadasta.WorkerToolbox.IntegrationTests.Monitoring;

/// <summary>
/// The monitor next to Python Celery 5.2 on one broker and PostgreSQL; each broker's test class says how
/// to reach it and whether a Python producer's custom options survive the trip.
/// </summary>
public abstract class MonitorInteropTests
{
    /// <summary>Whether Python's custom options (creator_id, is_result...) reach the monitor on this broker.</summary>
    protected abstract bool PythonCustomOptionsSurvive { get; }

    /// <summary>A broker namespace and platform queue of this test's own.</summary>
    private protected abstract Task<MonitorTestEnvironment> CreateEnvironmentAsync();

    [Fact]
    public async Task Records_what_Python_Celery_sends()
    {
        await using var environment = await StartAsync();

        await MonitorInteropScenarios.PythonSendIsRecordedAsync(environment, PythonCustomOptionsSurvive);
    }

    [Fact]
    public async Task Records_what_we_send_with_its_custom_options()
    {
        await using var environment = await StartAsync();

        await MonitorInteropScenarios.OurMessageIsRecordedAsync(environment);
    }

    [Fact]
    public async Task Duplicates_from_both_sides_are_recorded_once()
    {
        await using var environment = await StartAsync();

        await MonitorInteropScenarios.DuplicatesAreRecordedOnceAsync(environment);
    }

    [Fact]
    public async Task An_export_family_run_by_a_Celery_worker_has_the_platforms_overall_status_and_results()
    {
        await using var environment = await StartAsync();

        await MonitorInteropScenarios.ExportFamilyFromAPythonWorkerAsync(environment, PythonCustomOptionsSurvive);
    }

    private async Task<MonitorTestEnvironment> StartAsync()
    {
        var environment = await CreateEnvironmentAsync();
        await environment.StartMonitorAsync();
        return environment;
    }
}
