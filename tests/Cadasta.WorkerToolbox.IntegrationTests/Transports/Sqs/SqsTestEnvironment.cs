using System.Diagnostics;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Cadasta.WorkerToolbox.Transports.Sqs;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cadasta.WorkerToolbox.IntegrationTests.Transports.Sqs;

/// <summary>
/// The SQS emulator started by <c>scripts/services/sqs start</c> (127.0.0.1:9324), a unique queue
/// prefix per test, and kombu 5.2.4 (<c>/usr/bin/python3 tests/interop/sqs_peer.py</c>) as the peer.
/// Explicit fake credentials and region: nothing ever asks the EC2 metadata service.
/// </summary>
internal sealed class SqsTestEnvironment : IAsyncDisposable
{
    public const string Endpoint = "http://127.0.0.1:9324";
    public const string BrokerUrl = "sqs://test:test@127.0.0.1:9324/";
    private const string PythonPath = "/usr/bin/python3";

    private readonly List<SqsTransport> _transports = [];

    public SqsTestEnvironment()
    {
        Prefix = $"t{Guid.NewGuid().ToString("N")[..10]}-";
        Client = new AmazonSQSClient(new BasicAWSCredentials("test", "test"), new AmazonSQSConfig { ServiceURL = Endpoint, AuthenticationRegion = "us-east-1" });
    }

    /// <summary>This test's queue name prefix.</summary>
    public string Prefix { get; }

    /// <summary>A raw client for looking at queues directly.</summary>
    public AmazonSQSClient Client { get; }

    public static async Task<SqsTestEnvironment> StartAsync()
    {
        var environment = new SqsTestEnvironment();
        try
        {
            await environment.Client.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = "probe" }).ConfigureAwait(false);
        }
        catch (Exception failure) when (failure is AmazonServiceException or HttpRequestException or AmazonClientException)
        {
            await environment.DisposeAsync().ConfigureAwait(false);
            Assert.Fail($"The SQS emulator is not reachable at {Endpoint} ({failure.Message}). Start it with: scripts/services/sqs start");
        }

        return environment;
    }

    /// <summary>A fresh transport on the emulator; <paramref name="options"/> override the defaults.</summary>
    public SqsTransport CreateTransport(IReadOnlyDictionary<string, object?>? options = null)
    {
        var merged = new Dictionary<string, object?>
        {
            ["region"] = "us-east-1",
            ["queue_name_prefix"] = Prefix,
            ["is_secure"] = false,
            ["wait_time_seconds"] = 1L,
            ["visibility_timeout"] = 30L,
        };
        foreach (var (key, value) in options ?? new Dictionary<string, object?>())
        {
            merged[key] = value;
        }

        var transport = SqsTransportFactory.CreateTransport(BrokerUrl, merged, NullLoggerFactory.Instance, TimeProvider.System);
        _transports.Add(transport);
        return transport;
    }

    /// <summary>
    /// A transport on the emulator under a queue prefix of its own, owned by the caller (for the
    /// transport contract suite: every transport it creates starts from empty queues).
    /// </summary>
    public static SqsTransport CreateIsolatedTransport() =>
        SqsTransportFactory.CreateTransport(
            BrokerUrl,
            new Dictionary<string, object?>
            {
                ["region"] = "us-east-1",
                ["queue_name_prefix"] = $"c{Guid.NewGuid().ToString("N")[..10]}-",
                ["is_secure"] = false,
                ["wait_time_seconds"] = 1L,
                ["visibility_timeout"] = 30L,
            },
            NullLoggerFactory.Instance,
            TimeProvider.System);

    public async Task<string> QueueUrlAsync(string sqsName) =>
        (await Client.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = sqsName }).ConfigureAwait(false)).QueueUrl;

    /// <summary>Runs <c>tests/interop/sqs_peer.py</c> and returns its standard output.</summary>
    public static async Task<string> RunPeerAsync(IEnumerable<string> arguments, string? standardInput = null, [CallerFilePath] string here = "")
    {
        var script = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "interop", "sqs_peer.py"));
        Assert.True(File.Exists(PythonPath), $"{PythonPath} (Debian's Python with kombu 5.2.4) is missing; run scripts/services/install");
        var start = new ProcessStartInfo(PythonPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        using var process = Process.Start(start)!;
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput).ConfigureAwait(false);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"sqs_peer.py {string.Join(' ', arguments)} did not finish in 120 s: {await error.ConfigureAwait(false)}");
        }

        Assert.True(process.ExitCode == 0, $"sqs_peer.py {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error.ConfigureAwait(false)}");
        return await output.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var transport in _transports)
        {
            await transport.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            var queues = await Client.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = Prefix }).ConfigureAwait(false);
            foreach (var url in queues.QueueUrls ?? [])
            {
                await Client.DeleteQueueAsync(new DeleteQueueRequest { QueueUrl = url }).ConfigureAwait(false);
            }
        }
        catch (Exception failure) when (failure is AmazonServiceException or HttpRequestException or AmazonClientException)
        {
            // The emulator is gone; its state was in memory anyway.
        }

        Client.Dispose();
    }
}
