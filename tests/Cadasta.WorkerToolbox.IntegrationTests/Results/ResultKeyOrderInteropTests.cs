using System.Text.Json;
using Cadasta.WorkerToolbox.Results;

namespace Cadasta.WorkerToolbox.IntegrationTests.Results;

/// <summary>
/// A dict result Python Celery 5.2.6 stored (its database backend, mark_as_done, its own pickle
/// protocol) reads back with the dict's insertion order, on PostgreSQL and on SQLite.
/// </summary>
public sealed class ResultKeyOrderInteropTests : IDisposable
{
    // Neither sorted nor any hash order; more than 1000 keys in one dict makes the pickler batch SETITEMS twice.
    private static readonly string[] Keys = ["zeta", "alpha", "mike", "bravo", "yankee", "charlie", "xray", "delta"];
    private readonly string _directory = Directory.CreateTempSubdirectory("cadasta-key-order-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    public static TheoryData<string> Databases() => ["postgresql", "sqlite"];

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_dict_python_celery_stored_reads_back_in_its_insertion_order(string database)
    {
        var url = database == "postgresql" ? ResultPostgres.Url : "db+sqlite:///" + Path.Combine(_directory, "results.db");
        if (database == "postgresql")
        {
            ResultPostgres.RequireRunning();
        }
        else
        {
            await ResultPeer.RunAsync("create", url);
        }

        var big = Enumerable.Range(0, 1100).Select(n => (n * 7919) % 1100).Select(n => $"k{n}").ToList();
        var literal = "{" + string.Join(", ", Keys.Select((k, i) => $"'{k}': {i}")) + ", 'nested': {'z': None, 'a': [{'y': 1, 'b': 2}]}, "
            + "'big': {" + string.Join(", ", big.Select(k => $"'{k}': 0")) + "}}";
        var taskId = ResultPostgres.NewTaskId("py-key-order");
        await ResultPeer.WriteAsync(url, taskId, "done", literal);

        await using var store = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = url });
        var value = Assert.IsType<Dictionary<string, object?>>(await new AsyncResult(taskId, store).GetAsync(TimeSpan.FromSeconds(5)));

        Assert.Equal([.. Keys, "nested", "big"], value.Keys);
        Assert.Equal(
            """{"z":null,"a":[{"y":1,"b":2}]}""",
            JsonSerializer.Serialize(value["nested"]));
        Assert.Equal(big, Assert.IsType<Dictionary<string, object?>>(value["big"]).Keys);
    }
}
