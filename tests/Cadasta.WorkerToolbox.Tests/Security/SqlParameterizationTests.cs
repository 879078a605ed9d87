using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.TestSupport.Interop;

namespace Cadasta.WorkerToolbox.Tests.Security;

/// <summary>Only parameterized SQL: values never become SQL text (docs/reliability.md, "Security").</summary>
public sealed class SqlParameterizationTests
{
    [Fact]
    public void No_sql_in_src_is_built_from_values()
    {
        var files = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .ToList();
        var violations = files.SelectMany(f => SqlConstructionCheck.Check(Path.GetRelativePath(RepositoryPaths.Root, f), File.ReadAllText(f))).ToList();
        Assert.True(violations.Count == 0, "SQL built from values (pass them as parameters, or review and list the fragment):\n" + string.Join('\n', violations));

        // The check did look at the SQL of the result store and of the monitor.
        Assert.Contains(files, f => f.EndsWith("SqlTaskRecordStore.cs", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("class C { string M(string id) => $\"SELECT * FROM celery_taskmeta WHERE task_id = '{id}'\"; }", "id")]
    [InlineData("class C { string M(string name) => \"DELETE FROM t WHERE name = '\" + name + \"'\"; }", "name")]
    [InlineData("class C { string M(System.Text.StringBuilder b, string v) { b.Append(\"INSERT INTO t VALUES (\").Append(v); return b.ToString(); } }", "v")]
    public void The_check_reports_a_value_spliced_into_sql(string source, string culprit)
    {
        var violation = Assert.Single(SqlConstructionCheck.Check("sample.cs", source), v => v.EndsWith(": " + culprit, StringComparison.Ordinal));
        Assert.StartsWith("sample.cs:1:", violation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Injection_text_in_every_value_is_stored_and_read_back_as_text()
    {
        const string evil = "x'); DROP TABLE celery_taskmeta; --\"";
        var path = Path.Combine(Path.GetTempPath(), $"sql-injection-{Guid.NewGuid():N}.db");
        try
        {
            await using var store = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = "db+sqlite:///" + path });
            await store.EnsureSchemaAsync();
            await store.StoreAsync(new TaskResult { TaskId = evil, State = TaskStates.Success, Value = evil });
            await store.StoreAsync(new TaskResult { TaskId = "other", State = TaskStates.Failure, Error = new TaskError(evil, evil, [evil]), Traceback = evil });

            var read = await store.ReadAsync(evil);
            Assert.Equal((TaskStates.Success, evil), (read!.State, read.Value as string));
            var other = await store.ReadAsync("other");
            Assert.Equal((evil, evil), (other!.Error!.ExceptionType, other.Traceback));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(path);
        }
    }
}
