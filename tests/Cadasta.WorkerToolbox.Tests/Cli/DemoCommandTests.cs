using Cadasta.WorkerToolbox.Cli.Commands;
using Cadasta.WorkerToolbox.TestSupport.Cli;

namespace Cadasta.WorkerToolbox.Tests.Cli;

/// <summary>The main job on the embedded default: memory broker, SQLite, worker and monitor in one process.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public async Task The_demo_runs_every_task_and_prints_the_export_family_as_the_platform_sees_it()
    {
        var database = Path.Combine(Path.GetTempPath(), $"demo-test-{Guid.NewGuid():N}.db");
        try
        {
            var (exit, output, error) = await CommandRunner.RunAsync(DemoCommand.Create(), "demo", "--database", database, "--timeout", "60");

            Assert.True(exit == 0, output + error);
            Assert.Contains("SUCCESS  msg.add(2, 3) -> 5   [ok]", output, StringComparison.Ordinal);
            Assert.Contains("FAILURE  msg.fail('the demo asked for it') -> Exception: the demo asked for it   [ok]", output, StringComparison.Ordinal);
            Assert.DoesNotContain("UNEXPECTED", output, StringComparison.Ordinal);
            Assert.Contains("SUCCESS  export.utils.create_result  (is_result)", output, StringComparison.Ordinal);
            Assert.Contains("Overall status: SUCCESS", output, StringComparison.Ordinal);
            // Dictionaries read back from a pickle lose their key order (Razorvine builds a Hashtable).
            var results = output.Split('\n').Single(line => line.StartsWith("Overall results: ", StringComparison.Ordinal));
            Assert.Contains("\"text\":\"demo_all.zip\"", results, StringComparison.Ordinal);
            Assert.Contains("\"url\":\"https://exports.invalid/cadasta/demo/demo_all.zip\"", results, StringComparison.Ordinal);
            Assert.True(File.Exists(database), "--database keeps the file for inspection");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(database);
        }
    }
}
