namespace Cadasta.WorkerToolbox.TestSupport.Services;

/// <summary>
/// A RabbitMQ node of this test alone (<c>scripts/services/private-rabbitmq</c>): own node name,
/// ports, epmd, mnesia and logs in a temporary directory, so a test may stop, kill and restart it
/// while other tests use the shared broker on 5672. Durable queues and persistent messages survive
/// a restart. Disposing shuts it down and deletes its directory.
/// </summary>
public sealed class PrivateRabbitMq : IAsyncDisposable
{
    private const string Script = "private-rabbitmq";
    private readonly string[] _startArguments;

    private PrivateRabbitMq(string directory, int port, int? tlsPort, string[] startArguments)
    {
        Directory = directory;
        Port = port;
        TlsPort = tlsPort;
        _startArguments = startArguments;
    }

    /// <summary>Where the node keeps everything.</summary>
    public string Directory { get; }

    /// <summary>The plain AMQP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The TLS port on 127.0.0.1, when started with certificates.</summary>
    public int? TlsPort { get; }

    /// <summary>The broker URL of the default virtual host (guest/guest).</summary>
    public string Url => UrlOf("/");

    /// <summary>Starts a node and waits until it accepts AMQP (about 5-10 s).</summary>
    /// <param name="tls">Certificates for a TLS listener (PEM files readable by the rabbitmq user), or null for none.</param>
    public static async Task<PrivateRabbitMq> StartAsync(TlsFiles? tls = null)
    {
        var directory = ServiceScript.NewStateDirectory("rabbitmq");
        var port = ServiceScript.FreePorts(tls is null ? 3 : 4);
        int? tlsPort = tls is null ? null : port + 3;
        string[] arguments = tls is null
            ? ["start", directory, $"{port}"]
            : ["start", directory, $"{port}", $"{tlsPort}", tls.CaCertificate, tls.Certificate, tls.Key];
        var node = new PrivateRabbitMq(directory, port, tlsPort, arguments);
        try
        {
            await node.StartAgainAsync();
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }

        return node;
    }

    /// <summary>The broker URL of a virtual host (guest/guest).</summary>
    /// <param name="virtualHost">The virtual host.</param>
    public string UrlOf(string virtualHost) => $"amqp://guest:guest@127.0.0.1:{Port}/{Uri.EscapeDataString(virtualHost)}";

    /// <summary>Creates a virtual host guest may use, and returns its URL.</summary>
    /// <param name="virtualHost">Its name.</param>
    public async Task<string> CreateVirtualHostAsync(string virtualHost)
    {
        await CtlAsync("add_vhost", virtualHost);
        await CtlAsync("set_permissions", "-p", virtualHost, "guest", ".*", ".*", ".*");
        return UrlOf(virtualHost);
    }

    /// <summary>Runs rabbitmqctl against this node.</summary>
    /// <param name="arguments">rabbitmqctl's arguments.</param>
    public Task<string> CtlAsync(params string[] arguments) => ServiceScript.RunAsync(Script, ["ctl", Directory, .. arguments]);

    /// <summary>Starts the node again (after a stop or a kill) and waits until it accepts AMQP.</summary>
    public Task StartAgainAsync() => ServiceScript.RunAsync(Script, _startArguments);

    /// <summary>Shuts the node down cleanly and waits for its process to end.</summary>
    public Task StopAsync() => ServiceScript.RunAsync(Script, "stop", Directory);

    /// <summary>Kills the node with SIGKILL (no clean shutdown).</summary>
    public Task KillAsync() => ServiceScript.RunAsync(Script, "kill", Directory);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            TryDelete(Directory);
        }
    }

    internal static void TryDelete(string directory)
    {
        try
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A process still writing there; the temporary directory is cleaned by the system later.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>PEM files for a TLS listener.</summary>
/// <param name="CaCertificate">The certificate authority that signed <paramref name="Certificate"/>.</param>
/// <param name="Certificate">The server's certificate.</param>
/// <param name="Key">The server's private key.</param>
public sealed record TlsFiles(string CaCertificate, string Certificate, string Key);
