using System.Collections.Concurrent;
using System.Globalization;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Producing;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.Transports;
using Npgsql;
using Xunit.Abstractions;

namespace Cadasta.WorkerToolbox.IntegrationTests.Reliability;

/// <summary>
/// One fault scenario's world: a database of its own on the private PostgreSQL (with an execution
/// counter: a trigger that records every STARTED and SUCCESS write of <c>celery_taskmeta</c>, so a
/// task that ran twice shows two SUCCESS writes even though it has one row), a virtual host of its
/// own on the private RabbitMQ or a queue prefix of its own on the SQS emulator, a producer in this
/// process, and the demo worker as separate processes configured by CELERY_* variables.
/// </summary>
internal sealed class FaultRun : IAsyncDisposable
{
    public const int Concurrency = 4;
    public const int PrefetchMultiplier = 4;
    private const string SqsEndpoint = "http://127.0.0.1:9324";

    private readonly ReliabilityServices _services;
    private readonly ITestOutputHelper _output;
    private readonly List<DemoWorkerProcess> _workers = [];
    private readonly ITransport _transport;
    private readonly NpgsqlDataSource _database;
    private int _published;

    private FaultRun(ReliabilityServices services, ITestOutputHelper output, string name, string broker, Dictionary<string, string> environment)
    {
        _services = services;
        _output = output;
        Name = name;
        Broker = broker;
        Environment = environment;
        Config = new Config(environment: environment);
        _transport = TransportFactory.Create(Config);
        Producer = new TaskProducer(Config, _transport);
        _database = NpgsqlDataSource.Create(services.Postgres.ConnectionString(name) + ";Timeout=3;Command Timeout=10");
        LogDirectory = Path.Combine(Path.GetTempPath(), "cadasta-reliability-logs");
        Directory.CreateDirectory(LogDirectory);
    }

    /// <summary>The database, virtual host or queue prefix of this run.</summary>
    public string Name { get; }

    /// <summary><c>amqp</c> or <c>sqs</c>.</summary>
    public string Broker { get; }

    /// <summary>The worker's (and the producer's) configuration.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    public Config Config { get; }

    public TaskProducer Producer { get; }

    public string LogDirectory { get; }

    /// <summary>How many tasks <see cref="SendAsync"/> has published (confirmed by the broker) so far.</summary>
    public int Published => Volatile.Read(ref _published);

    /// <summary>How many tasks a scenario sends: <c>RELIABILITY_TASKS</c> (the soak) or <paramref name="shortRun"/>.</summary>
    public static int TaskCount(int shortRun) =>
        int.TryParse(System.Environment.GetEnvironmentVariable("RELIABILITY_TASKS"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : shortRun;

    public static async Task<FaultRun> CreateAsync(ReliabilityServices services, ITestOutputHelper output, string broker, bool acksLate)
    {
        var name = "f" + Guid.NewGuid().ToString("N")[..12];
        await services.Postgres.CreateDatabaseAsync(name);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["CELERY_RESULT_BACKEND"] = services.Postgres.BackendUrl(name),
            ["CELERY_TASK_ACKS_LATE"] = acksLate ? "True" : "False",
            ["CELERY_WORKER_CONCURRENCY"] = $"{Concurrency}",
            ["CELERY_WORKER_PREFETCH_MULTIPLIER"] = $"{PrefetchMultiplier}",
            ["CELERY_QUEUES"] = "('msg',)",
        };
        if (broker == "amqp")
        {
            environment["CELERY_BROKER_URL"] = await services.RabbitMq.CreateVirtualHostAsync(name);
        }
        else
        {
            environment["CELERY_BROKER_URL"] = "sqs://test:test@127.0.0.1:9324/";
            environment["CELERY_BROKER_TRANSPORT_OPTIONS"] =
                $"{{'region': 'us-east-1', 'queue_name_prefix': '{name}-', 'is_secure': False, 'wait_time_seconds': 1, 'visibility_timeout': 10}}";
        }

        var run = new FaultRun(services, output, name, broker, environment);
        await using (var store = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = services.Postgres.BackendUrl(name) }))
        {
            await store.EnsureSchemaAsync();
        }

        await run.ExecuteAsync("""
            CREATE TABLE executions (task_id varchar(155) NOT NULL, status varchar(50) NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp());
            CREATE FUNCTION count_execution() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN INSERT INTO executions (task_id, status) VALUES (NEW.task_id, NEW.status); RETURN NEW; END $$;
            CREATE TRIGGER count_execution AFTER INSERT OR UPDATE ON celery_taskmeta
              FOR EACH ROW WHEN (NEW.status IN ('STARTED', 'SUCCESS')) EXECUTE FUNCTION count_execution();
            """);
        await run.Producer.EnsureSetupAsync();
        output.WriteLine($"run {name} on {broker}, acks_late {acksLate}; worker logs in {run.LogDirectory}/{name}-*.log");
        return run;
    }

    /// <summary>Starts one more demo worker process.</summary>
    public DemoWorkerProcess StartWorker()
    {
        var worker = DemoWorkerProcess.Start(Environment, Path.Combine(LogDirectory, $"{Name}-{_workers.Count + 1}.log"));
        _workers.Add(worker);
        return worker;
    }

    /// <summary>Sends <paramref name="count"/> <c>msg.sleep</c> tasks (16 at a time), optionally paced; returns their ids.</summary>
    public async Task<List<string>> SendAsync(int count, double sleepSeconds, TimeSpan pause = default, CancellationToken cancellationToken = default)
    {
        var ids = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (_, token) =>
            {
                ids.Add(await Producer.SendTaskAsync("msg.sleep", [sleepSeconds], cancellationToken: token));
                Interlocked.Increment(ref _published);
                if (pause > TimeSpan.Zero)
                {
                    await Task.Delay(pause, token);
                }
            });
        return [.. ids];
    }

    /// <summary>How many tasks have their SUCCESS row (null while the database cannot be reached).</summary>
    public async Task<long?> TrySuccessCountAsync()
    {
        try
        {
            await using var command = _database.CreateCommand("SELECT count(*) FROM celery_taskmeta WHERE status = 'SUCCESS'");
            return (long)(await command.ExecuteScalarAsync())!;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> tasks succeeded.</summary>
    public async Task WaitForSuccessesAsync(long count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        long? seen = null;
        while (DateTime.UtcNow < deadline)
        {
            seen = await TrySuccessCountAsync();
            if (seen >= count)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{seen?.ToString(CultureInfo.InvariantCulture) ?? "?"} of {count} SUCCESS rows after {timeout.TotalSeconds} s. Worker log tail:\n{WorkerTail()}");
    }

    /// <summary>Messages of the worker's queue the broker still holds (ready and unacknowledged/in flight).</summary>
    public async Task<long> BacklogAsync()
    {
        if (Broker == "amqp")
        {
            var listing = await _services.RabbitMq.CtlAsync("list_queues", "-p", Name, "--quiet", "--no-table-headers", "name", "messages");
            return listing.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split('\t', ' '))
                .Where(parts => parts[0] == "msg")
                .Sum(parts => long.Parse(parts[^1], CultureInfo.InvariantCulture));
        }

        using var client = SqsClient();
        var url = (await client.GetQueueUrlAsync(Name + "-msg")).QueueUrl;
        var attributes = await client.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]);
        return attributes.Attributes.Values.Sum(v => long.Parse(v, CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Waits until the broker has no message of the worker's queue waiting (AMQP: none ready, a cheap
    /// passive declare; SQS: none visible or in flight), then until the results stop changing for
    /// <paramref name="quiet"/> (the worker finishing what it holds).
    /// </summary>
    public async Task WaitForDrainAsync(TimeSpan timeout, TimeSpan quiet)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (await WaitingAsync() > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The broker still holds {await BacklogAsync()} messages after {timeout.TotalSeconds} s. Worker log tail:\n{WorkerTail()}");
            }

            await Task.Delay(200);
        }

        long? last = -1;
        var stableSince = DateTime.UtcNow;
        while (DateTime.UtcNow - stableSince < quiet)
        {
            var now = await TrySuccessCountAsync();
            if (now != last)
            {
                last = now;
                stableSince = DateTime.UtcNow;
            }

            await Task.Delay(200);
        }
    }

    private async Task<long> WaitingAsync()
    {
        if (Broker != "amqp")
        {
            return await BacklogAsync();
        }

        var factory = new RabbitMQ.Client.ConnectionFactory { Uri = new Uri(Environment["CELERY_BROKER_URL"]) };
        await using var connection = await factory.CreateConnectionAsync("reliability inspection");
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync("msg")).MessageCount;
    }

    /// <summary>What the database says about <paramref name="ids"/>.</summary>
    public async Task<Outcome> CountAsync(IReadOnlyCollection<string> ids)
    {
        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var command = _database.CreateCommand("SELECT task_id, status FROM celery_taskmeta"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                states[reader.GetString(0)] = reader.GetString(1);
            }
        }

        var successWrites = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var command = _database.CreateCommand("SELECT task_id, count(*) FROM executions WHERE status = 'SUCCESS' GROUP BY task_id"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                successWrites[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        var succeeded = ids.Count(id => states.GetValueOrDefault(id) == "SUCCESS");
        var missing = ids.Where(id => states.GetValueOrDefault(id) != "SUCCESS").ToList();
        var duplicated = ids.Count(id => successWrites.GetValueOrDefault(id) > 1);
        var extraRuns = ids.Sum(id => Math.Max(0, successWrites.GetValueOrDefault(id) - 1));
        var startedOnly = ids.Count(id => states.GetValueOrDefault(id) == "STARTED");
        var foreign = states.Keys.Except(ids, StringComparer.Ordinal).Count();
        return new Outcome(ids.Count, succeeded, missing, duplicated, extraRuns, startedOnly, foreign);
    }

    /// <summary>SUCCESS writes committed before <paramref name="moment"/> (the execution counter's clock).</summary>
    public async Task<long> SuccessWritesBeforeAsync(DateTimeOffset moment)
    {
        await using var command = _database.CreateCommand("SELECT count(DISTINCT task_id) FROM executions WHERE status = 'SUCCESS' AND at < $1");
        command.Parameters.AddWithValue(moment.UtcDateTime);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// The first STARTED or SUCCESS write at or after <paramref name="moment"/> of a task that had
    /// none before it (a task first delivered after that moment), or null.
    /// </summary>
    public async Task<DateTimeOffset?> FirstNewTaskAfterAsync(DateTimeOffset moment)
    {
        await using var command = _database.CreateCommand(
            "SELECT min(at) FROM executions e WHERE at >= $1 AND NOT EXISTS (SELECT 1 FROM executions p WHERE p.task_id = e.task_id AND p.at < $1)");
        command.Parameters.AddWithValue(moment.UtcDateTime);
        return await command.ExecuteScalarAsync() is DateTime at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
    }

    /// <summary>The first SUCCESS write at or after <paramref name="moment"/>, or null.</summary>
    public async Task<DateTimeOffset?> FirstSuccessAfterAsync(DateTimeOffset moment)
    {
        await using var command = _database.CreateCommand("SELECT min(at) FROM executions WHERE status = 'SUCCESS' AND at >= $1");
        command.Parameters.AddWithValue(moment.UtcDateTime);
        return await command.ExecuteScalarAsync() is DateTime at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
    }

    /// <summary>Rows in STARTED state now (tasks running, or lost while running).</summary>
    public async Task<long> StartedNowAsync()
    {
        await using var command = _database.CreateCommand("SELECT count(*) FROM celery_taskmeta WHERE status = 'STARTED'");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Appends a figures line to <c>$RELIABILITY_REPORT</c> (the soak's table), and to the test output.</summary>
    public void Report(string fault, Outcome outcome, string recovery, string notes = "")
    {
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"| {fault} | {Broker} | {outcome.Sent} | {outcome.Succeeded} | {outcome.Duplicated} ({outcome.ExtraRuns} extra runs) | {outcome.Missing.Count} | {recovery} | {notes} |");
        _output.WriteLine(line);
        if (System.Environment.GetEnvironmentVariable("RELIABILITY_REPORT") is { Length: > 0 } path)
        {
            File.AppendAllLines(path, [line]);
        }
    }

    public string WorkerTail() => _workers.Count == 0 ? "(no worker)" : string.Join("\n", _workers.TakeLast(2).Select(w => $"[{w.LogPath}]\n{w.Tail(15)}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }

        await _transport.DisposeAsync();
        await _database.DisposeAsync();
        try
        {
            if (Broker == "amqp")
            {
                await _services.RabbitMq.CtlAsync("delete_vhost", Name);
            }
            else
            {
                using var client = SqsClient();
                foreach (var url in (await client.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = Name })).QueueUrls ?? [])
                {
                    await client.DeleteQueueAsync(url);
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or AmazonServiceException or HttpRequestException)
        {
            _output.WriteLine($"clean-up of {Name} failed: {e.Message}");
        }
    }

    private static AmazonSQSClient SqsClient() =>
        new(new BasicAWSCredentials("test", "test"), new AmazonSQSConfig { ServiceURL = SqsEndpoint, AuthenticationRegion = "us-east-1" });

    private async Task ExecuteAsync(string sql)
    {
        await using var command = _database.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>What became of the tasks sent.</summary>
internal sealed record Outcome(int Sent, int Succeeded, IReadOnlyList<string> Missing, int Duplicated, long ExtraRuns, int StartedOnly, int Foreign)
{
    public override string ToString() =>
        $"sent {Sent}, SUCCESS {Succeeded}, missing {Missing.Count} (STARTED only {StartedOnly}), run more than once {Duplicated} ({ExtraRuns} extra runs), rows of other tasks {Foreign}";
}
