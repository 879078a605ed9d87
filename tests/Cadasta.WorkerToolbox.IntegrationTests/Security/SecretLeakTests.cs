using System.Diagnostics;
using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.IntegrationTests.Reliability.Hostile;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.TestSupport.Interop;
using Cadasta.WorkerToolbox.Transports;
using Xunit.Abstractions;

namespace Cadasta.WorkerToolbox.IntegrationTests.Security;

/// <summary>
/// A distinctive password in every secret setting never appears in what the command line prints,
/// in what the worker logs, or in an exception message, failed connections included (wrong
/// passwords against the real RabbitMQ and PostgreSQL, an SQS endpoint where nothing listens).
/// </summary>
public sealed class SecretLeakTests(ITestOutputHelper output)
{
    private readonly string _password = "Pw" + Guid.NewGuid().ToString("N")[..16] + "Leak";

    private Dictionary<string, string> SecretEnvironment(string brokerUrl) => new()
    {
        ["CELERY_BROKER_URL"] = brokerUrl,
        ["CELERY_RESULT_DB_PASS"] = _password,
        ["CELERY_RESULT_DB_HOST"] = "127.0.0.1",
        ["CELERY_BROKER_TRANSPORT_OPTIONS"] = $"{{'region': 'us-west-2', 'queue_name_prefix': 'leak-', 'is_secure': False, 'secret_access_key': '{_password}', 'wait_time_seconds': 1, 'max_retries': 0}}",
        ["CELERY_QUEUES"] = "('msg',)",
        ["AWS_EC2_METADATA_DISABLED"] = "true",
    };

    private string AmqpUrl => $"amqp://guest:{_password}@127.0.0.1:5672//";

    private string SqsUrl => $"sqs://AKIALEAKTEST:{_password}@127.0.0.1:9/";

    [Fact]
    public async Task The_command_line_never_prints_a_password_even_when_connections_fail()
    {
        await RequiredService.RabbitMq.EnsureAsync();
        await RequiredService.PostgreSql.EnsureAsync();
        var runs = new List<(string What, int Exit, string Text)>();
        foreach (var broker in new[] { AmqpUrl, SqsUrl })
        {
            foreach (var arguments in new[] { ["config"], ["config", "--all"], ["config", "--json", "--all"], ["check"], ["health"], ["setup"], ["send", "msg.add", "--args", "[1, 2]"], new[] { "result", "no-such-task" } })
            {
                var (exit, text) = await RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "cadasta-worker.dll"), .. arguments], SecretEnvironment(broker));
                runs.Add(($"{broker.Split(':')[0]} {string.Join(' ', arguments)}", exit, text));
            }
        }

        // Proof that the commands met the secrets: the masked forms are printed, and connections failed.
        Assert.Contains(runs, r => r.Text.Contains("guest:****@", StringComparison.Ordinal));
        Assert.Contains(runs, r => r.What.EndsWith("health", StringComparison.Ordinal) && r.Exit != 0);
        Assert.Contains(runs, r => r.What.Contains("send", StringComparison.Ordinal) && r.Exit != 0);
        foreach (var (what, exit, text) in runs)
        {
            output.WriteLine($"--- {what}: exit {exit}, {text.Length} characters");
            Assert.False(text.Contains(_password, StringComparison.Ordinal), $"'{what}' printed the password:\n{text}");
        }
    }

    [Fact]
    public async Task The_worker_never_logs_a_password_when_the_broker_or_the_database_refuses_it()
    {
        await RequiredService.RabbitMq.EnsureAsync();
        await RequiredService.PostgreSql.EnsureAsync();

        // Wrong broker password: RabbitMQ refuses the login.
        var (brokerExit, brokerText) = await RunAsync("dotnet", [DemoWorkerProcess.AssemblyPath], new Dictionary<string, string>(SecretEnvironment(AmqpUrl))
        {
            ["CELERY_RESULT_BACKEND"] = RequiredService.PostgreSqlBackendUrl,
        });

        // Wrong database password: PostgreSQL refuses it.
        var (databaseExit, databaseText) = await RunAsync("dotnet", [DemoWorkerProcess.AssemblyPath], SecretEnvironment(RequiredService.RabbitMqUrl));

        Assert.NotEqual(0, brokerExit);
        Assert.NotEqual(0, databaseExit);
        Assert.Contains("guest", brokerText, StringComparison.Ordinal);
        Assert.Contains("password authentication failed", databaseText, StringComparison.OrdinalIgnoreCase);
        Assert.False(brokerText.Contains(_password, StringComparison.Ordinal), "The worker logged the broker password:\n" + brokerText);
        Assert.False(databaseText.Contains(_password, StringComparison.Ordinal), "The worker logged the database password:\n" + databaseText);
    }

    [Fact]
    public async Task Exceptions_from_failed_connections_never_carry_a_password()
    {
        await RequiredService.RabbitMq.EnsureAsync();
        await RequiredService.PostgreSql.EnsureAsync();
        var failures = new List<Exception>();
        foreach (var url in new[] { AmqpUrl, SqsUrl })
        {
            var config = new Config(environment: SecretEnvironment(url));
            try
            {
                await using var transport = TransportFactory.Create(config);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await transport.DeclareAsync(config.CreateTopology(), timeout.Token);
            }
            catch (Exception error)
            {
                failures.Add(error);
            }
        }

        try
        {
            var config = new Config(environment: SecretEnvironment(AmqpUrl));
            await using var store = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = config.ResultBackend! });
            await store.EnsureSchemaAsync();
        }
        catch (Exception error)
        {
            failures.Add(error);
        }

        Assert.Equal(3, failures.Count);
        foreach (var failure in failures)
        {
            var text = failure.ToString();
            output.WriteLine(text.Split('\n')[0]);
            Assert.False(text.Contains(_password, StringComparison.Ordinal), "An exception carries the password:\n" + text);
        }
    }

    private static async Task<(int Exit, string Text)> RunAsync(string file, string[] arguments, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("CELERY_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
