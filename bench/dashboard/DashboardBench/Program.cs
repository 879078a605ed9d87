// Fills a PostgreSQL database of its own (default cadasta_dashboard_bench) with N task records (default
// 1,000,000) and their celery_taskmeta rows, generated inside PostgreSQL by generate_series, then serves the
// dashboard over them and times its pages over HTTP: the first list page, filtered pages, a deep keyset page.
// Usage: dotnet run -c Release --project bench/dashboard/DashboardBench -- [--records N] [--requests R] [--refill]
using System.Diagnostics;
using System.Globalization;
using Cadasta.WorkerToolbox.Dashboard;
using Cadasta.WorkerToolbox.Monitoring;
using Cadasta.WorkerToolbox.Results;
using Npgsql;

var records = 1_000_000;
var requests = 30;
var refill = false;
var database = "cadasta_dashboard_bench";
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--records": records = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--requests": requests = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--database": database = args[++i]; break;
        case "--refill": refill = true; break;
        default: throw new ArgumentException($"Unknown argument {args[i]}");
    }
}

const string Server = "Host=127.0.0.1;Port=5432;Username=worker;Password=cadasta";
await using (var admin = new NpgsqlConnection(Server + ";Database=cadasta"))
{
    await admin.OpenAsync();
    await using var exists = new NpgsqlCommand("SELECT COUNT(*) FROM pg_database WHERE datname = @name", admin);
    exists.Parameters.AddWithValue("name", database);
    if ((long)(await exists.ExecuteScalarAsync())! == 0)
    {
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
        await create.ExecuteNonQueryAsync();
        Console.WriteLine($"created database {database}");
    }
}

var backend = $"db+postgresql://worker:cadasta@127.0.0.1:5432/{database}";
var connectionString = $"{Server};Database={database};Command Timeout=600";
async Task<object?> ScalarAsync(string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    return await command.ExecuteScalarAsync();
}

async Task ExecuteAsync(string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    await command.ExecuteNonQueryAsync();
}

// The schema as the monitor and the result store create it (our indexes included).
await using (var store = TaskRecordStore.Create(backend))
await using (var results = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = backend }))
{
    await store.EnsureSchemaAsync();
    await results.EnsureSchemaAsync();
}

var present = Convert.ToInt64(await ScalarAsync("SELECT COUNT(*) FROM cadasta_task_record"), CultureInfo.InvariantCulture);
if (refill || present != records)
{
    var fill = Stopwatch.StartNew();
    await ExecuteAsync("TRUNCATE cadasta_task_record, celery_taskmeta");

    // Secondary indexes are built once after the load (much faster than row by row); EnsureSchema recreates them.
    foreach (var index in new[] { "root_id_idx", "created_idx", "created_id_idx", "type_created_idx", "creator_created_idx" })
    {
        await ExecuteAsync($"DROP INDEX IF EXISTS cadasta_task_record_{index}");
    }

    // Families of ten tasks, 1,000 creators, one task every 2 seconds from 2026-11-01 (about 23 days for 1M).
    await ExecuteAsync($$"""
        INSERT INTO cadasta_task_record (task_id, type, input, options, parent_id, root_id, creator_id, related_content_type_id, related_object_id, created)
        SELECT 'bench-' || g,
               (ARRAY['export.project', 'export.project.xls', 'export.project.shp', 'export.project.resources', 'export.utils.create_result',
                      'msg.add', 'msg.echo', 'msg.noop', 'celery.chord_unlock', 'msg.fail'])[1 + g % 10],
               '{"args": [' || g || ', "org-' || (g % 50) || '"], "kwargs": {"project_slug": "p' || (g % 777) || '"}' || '}',
               '{"retries": 0, "creator_id": "user-' || (g % 1000) || '"}',
               CASE WHEN g % 10 = 0 THEN NULL ELSE 'bench-' || (g - g % 10) END,
               'bench-' || (g - g % 10),
               'user-' || (g % 1000),
               NULL, NULL,
               timestamptz '2026-11-01 00:00:00+00' + g * interval '2 seconds'
        FROM generate_series(1, {{records}}) AS g
        """);

    // 90 % SUCCESS, 5 % FAILURE, 2 % STARTED, 3 % without a row (PENDING), done one second after being recorded.
    await ExecuteAsync($"""
        INSERT INTO celery_taskmeta (id, task_id, status, result, date_done, traceback)
        SELECT nextval('task_id_sequence'), 'bench-' || g,
               CASE WHEN g % 100 < 90 THEN 'SUCCESS' WHEN g % 100 < 95 THEN 'FAILURE' ELSE 'STARTED' END,
               NULL,
               CASE WHEN g % 100 < 95 THEN timestamp '2026-11-01 00:00:01' + g * interval '2 seconds' END,
               CASE WHEN g % 100 BETWEEN 90 AND 94 THEN 'Traceback (most recent call last): ...' END
        FROM generate_series(1, {records}) AS g
        WHERE g % 100 < 97
        """);
    await using (var store = TaskRecordStore.Create(backend))
    {
        await store.EnsureSchemaAsync();
    }

    await ExecuteAsync("ANALYZE cadasta_task_record");
    await ExecuteAsync("ANALYZE celery_taskmeta");
    Console.WriteLine($"filled {records:N0} records in {fill.Elapsed.TotalSeconds:0.0} s");
}

var deepOffset = records * 9 / 10;
var deep = await DeepCursorAsync(deepOffset);
var deepFailure = await DeepCursorAsync(deepOffset, "m.status = 'FAILURE'");

await using var server = await DashboardServer.StartAsync(new DashboardOptions { ResultBackendUrl = backend, Urls = ["http://127.0.0.1:0"] });
using var http = new HttpClient { BaseAddress = new Uri(server.Addresses[0]) };
(string Label, string Path)[] pages =
[
    ("first page, no filter", "/tasks"),
    ("state = FAILURE (5 %)", "/tasks?state=FAILURE"),
    ("state = PENDING (3 %, no result row)", "/tasks?state=PENDING"),
    ("state = STARTED (2 %)", "/tasks?state=STARTED"),
    ("state = REVOKED (no task has it: every record is probed)", "/tasks?state=REVOKED"),
    ("name = export.project", "/tasks?name=export.project"),
    ("name prefix export.* (half the records)", "/tasks?name=export.*"),
    ("name prefix nothing.* (no match; the name index answers)", "/tasks?name=nothing.*"),
    ("creator = user-42", "/tasks?creator=user-42"),
    ("time range (6 h)", "/tasks?from=2026-11-10T00:00&to=2026-11-10T06:00"),
    ("name = export.project and state = FAILURE (0.1 %)", "/tasks?name=export.project&state=FAILURE"),
    ($"deep keyset page (after {deepOffset:N0} rows)", "/tasks?before=" + Uri.EscapeDataString(deep)),
    ("deep keyset page, state = FAILURE", "/tasks?state=FAILURE&before=" + Uri.EscapeDataString(deepFailure)),
    ("overview (counts over all records, chart, latest)", "/"),
    ("family view (10 tasks)", $"/family?root=bench-{records / 20 * 10}"),
    ("task view", $"/task?id=bench-{(records / 20 * 10) + 1}"),
];

Console.WriteLine();
Console.WriteLine($"Dashboard pages over {records:N0} records (PostgreSQL 15, {requests} requests each after 3 warm-up requests; HTTP on loopback, page rendered):");
Console.WriteLine();
Console.WriteLine("| page | median ms | p95 ms | max ms | rows |");
Console.WriteLine("|---|---:|---:|---:|---:|");
foreach (var (label, path) in pages)
{
    var times = new List<double>();
    var rows = 0;
    for (var i = 0; i < requests + 3; i++)
    {
        var watch = Stopwatch.StartNew();
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        watch.Stop();
        response.EnsureSuccessStatusCode();
        rows = CountOf(body, "<tr data-id=") + CountOf(body, "<li data-task-id=");
        if (i >= 3)
        {
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
    }

    times.Sort();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {label} | {times[times.Count / 2]:0.0} | {times[(int)Math.Ceiling(times.Count * 0.95) - 1]:0.0} | {times[^1]:0.0} | {rows} |"));
}

async Task<string> DeepCursorAsync(int offset, string? where = null)
{
    // Setup only (an OFFSET scan): the position of the row `offset` places down the list, as a page link carries it.
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    var join = where is null ? string.Empty : "LEFT JOIN celery_taskmeta m ON m.task_id = r.task_id WHERE " + where;
    var limit = where is null ? offset : offset / 20;
    await using var command = new NpgsqlCommand($"SELECT r.created, r.id FROM cadasta_task_record r {join} ORDER BY r.created DESC, r.id DESC OFFSET {limit} LIMIT 1", connection);
    await using var reader = await command.ExecuteReaderAsync();
    await reader.ReadAsync();
    return new TaskListCursor(reader.GetFieldValue<DateTimeOffset>(0), reader.GetInt64(1)).ToString();
}

static int CountOf(string text, string part)
{
    var count = 0;
    for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + 1, StringComparison.Ordinal))
    {
        count++;
    }

    return count;
}
