using System.Diagnostics;
using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.IntegrationTests.Transports.Amqp;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.TestSupport.Interop;
using Cadasta.WorkerToolbox.TestSupport.Services;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Amqp;
using Npgsql;
using Xunit.Abstractions;

namespace Cadasta.WorkerToolbox.IntegrationTests.Reliability;

/// <summary>
/// TLS to the broker and to the result database. AMQP: a private RabbitMQ node with a TLS listener
/// whose certificates are made here with openssl; the client trusts the CA given in
/// <c>broker_use_ssl</c> and refuses any other with a clear error. PostgreSQL: the shared Debian
/// cluster has <c>ssl = on</c> (snakeoil certificate); <c>sslmode</c> in the result backend URL
/// decides whether the worker's connections are encrypted (checked in <c>pg_stat_ssl</c>).
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class TlsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _certificates = ServiceScript.NewStateDirectory("tls");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_certificates, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Amqps_verifies_the_broker_against_the_CA_of_broker_use_ssl_and_refuses_another_CA_clearly()
    {
        var tls = await MakeCertificatesAsync();
        await using var node = await PrivateRabbitMq.StartAsync(tls);
        var url = $"amqps://guest:guest@127.0.0.1:{node.TlsPort}//";

        // The right CA, given as an operator does: CELERY_BROKER_USE_SSL, a Python dict literal.
        var config = ConfigFor(url, $"{{'ca_certs': '{tls.CaCertificate}', 'cert_reqs': 2}}");
        await using (var transport = TransportFactory.Create(config))
        {
            var topology = AmqpTestBroker.CadastaTopology("tls.");
            await transport.DeclareAsync(topology);
            await transport.PublishAsync("tls.task_exchange", "tls.msg", AmqpTransportTests_Message());
            await using var consumer = await transport.ConsumeAsync(["tls.msg"], 1);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await (await consumer.Deliveries.ReadAsync(timeout.Token)).AckAsync();

            // The broker's view (a node of this test alone): both connections, publish and consume, are on TLS.
            var connections = await node.CtlAsync("list_connections", "--quiet", "--no-table-headers", "name", "ssl", "ssl_protocol");
            output.WriteLine(connections);
            var ours = connections.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
            Assert.Equal(2, ours.Count);
            Assert.All(ours, line => Assert.Contains("\ttrue\ttlsv1.", line, StringComparison.Ordinal));
        }

        // Another CA: refused at once, saying why, never showing the password.
        var wrongCa = await MakeCaAsync("wrong-ca");
        await using (var transport = TransportFactory.Create(ConfigFor(url, $"{{'ca_certs': '{wrongCa}'}}")))
        {
            var error = await Assert.ThrowsAsync<AmqpTransportException>(() => transport.DeclareAsync(AmqpTestBroker.CadastaTopology("tls.")));
            output.WriteLine(error.Message);
            Assert.Contains("TLS handshake", error.Message, StringComparison.Ordinal);
            Assert.Contains("not signed by a CA of broker_use_ssl ca_certs", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("guest:guest", error.ToString(), StringComparison.Ordinal);
        }

        // No CA given: the system's roots, which do not know our CA.
        await using (var transport = TransportFactory.Create(ConfigFor(url, null)))
        {
            var error = await Assert.ThrowsAsync<AmqpTransportException>(() => transport.DeclareAsync(AmqpTestBroker.CadastaTopology("tls.")));
            output.WriteLine(error.Message);
            Assert.Contains("does not chain to a root the system trusts", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("require", true)]
    [InlineData("disable", false)]
    public async Task Sslmode_in_the_result_backend_url_decides_whether_the_connection_is_encrypted(string sslMode, bool encrypted)
    {
        await RequiredService.PostgreSql.EnsureAsync();
        var application = $"tls-test-{Guid.NewGuid():N}"[..30];
        var backend = $"{RequiredService.PostgreSqlBackendUrl}?sslmode={sslMode}&application_name={application}";
        await using var store = new DatabaseResultStore(new ResultStoreOptions { BackendUrl = backend });
        await store.EnsureSchemaAsync();
        var taskId = Guid.NewGuid().ToString();
        await store.StoreAsync(new TaskResult { TaskId = taskId, State = TaskStates.Success, Value = 42L });
        Assert.Equal(TaskStates.Success, (await store.ReadAsync(taskId))?.State);

        // The store's pooled connection is still open: ask the server how it is carried.
        await using var inspection = new NpgsqlConnection("Host=127.0.0.1;Port=5432;Username=worker;Password=cadasta;Database=cadasta;Pooling=false");
        await inspection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT s.ssl, coalesce(s.version, '') FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = $1", inspection);
        command.Parameters.AddWithValue(application);
        var rows = new List<(bool Ssl, string Version)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetBoolean(0), reader.GetString(1)));
            }
        }

        output.WriteLine($"sslmode={sslMode}: {string.Join(", ", rows.Select(r => $"ssl={r.Ssl} {r.Version}"))}");
        Assert.NotEmpty(rows);
        Assert.All(rows, row => Assert.Equal(encrypted, row.Ssl));
    }

    private static Config ConfigFor(string brokerUrl, string? useSsl)
    {
        var environment = new Dictionary<string, string> { ["CELERY_BROKER_URL"] = brokerUrl };
        if (useSsl is not null)
        {
            environment["CELERY_BROKER_USE_SSL"] = useSsl;
        }

        return new Config(environment: environment);
    }

    private static TransportMessage AmqpTransportTests_Message() => AmqpTransportTests.Message(1);

    private async Task<TlsFiles> MakeCertificatesAsync()
    {
        var ca = await MakeCaAsync("ca");
        var key = Path.Combine(_certificates, "server.key");
        var request = Path.Combine(_certificates, "server.csr");
        var certificate = Path.Combine(_certificates, "server.pem");
        var extensions = Path.Combine(_certificates, "server.ext");
        await File.WriteAllTextAsync(extensions, "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
        await OpenSslAsync("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", request, "-subj", "/CN=localhost");
        await OpenSslAsync("x509", "-req", "-in", request, "-CA", ca, "-CAkey", Path.Combine(_certificates, "ca.key"), "-CAcreateserial",
            "-out", certificate, "-days", "2", "-extfile", extensions);
        // RabbitMQ runs as its own user: it must read the key (a throw-away test key in a temporary directory).
        foreach (var file in Directory.GetFiles(_certificates).Where(_ => !OperatingSystem.IsWindows()))
        {
#pragma warning disable CA1416 // filtered above: never on Windows
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
#pragma warning restore CA1416
        }

        return new TlsFiles(ca, certificate, key);
    }

    private async Task<string> MakeCaAsync(string name)
    {
        var certificate = Path.Combine(_certificates, name + ".pem");
        await OpenSslAsync("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", Path.Combine(_certificates, name + ".key"),
            "-out", certificate, "-days", "2", "-subj", $"/CN=Cadasta test {name}");
        return certificate;
    }

    private static async Task OpenSslAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("openssl") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"openssl {string.Join(' ', arguments)} failed: {await error}");
    }
}
