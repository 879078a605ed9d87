using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Transports.Amqp;

namespace Cadasta.WorkerToolbox.Tests.Transports.Amqp;

public sealed class AmqpTlsOptionsTests
{
    [Fact]
    public void False_or_absent_asks_for_nothing_and_true_asks_for_verified_TLS()
    {
        Assert.False(AmqpTlsOptions.FromSetting(null).Requested);
        Assert.False(AmqpTlsOptions.FromSetting(false).Requested);
        var on = AmqpTlsOptions.FromSetting(true);
        Assert.True(on.Requested);
        Assert.True(on.VerifyServer);
        Assert.Null(on.CaCertificates);
    }

    [Fact]
    public void The_environment_dict_is_read_as_kombu_hands_it_to_py_amqp()
    {
        var config = new Config(environment: new Dictionary<string, string>
        {
            ["CELERY_BROKER_USE_SSL"] = "{'ca_certs': '/etc/ca.pem', 'cert_reqs': 2, 'certfile': '/c.pem', 'keyfile': '/k.pem', 'server_hostname': 'rabbit.example'}",
        });
        config.TryGet("broker_use_ssl", out var value);
        var tls = AmqpTlsOptions.FromSetting(value);
        Assert.Equal(
            new AmqpTlsOptions { Requested = true, CaCertificates = "/etc/ca.pem", VerifyServer = true, ClientCertificate = "/c.pem", ClientKey = "/k.pem", ServerName = "rabbit.example" },
            tls);
    }

    [Fact]
    public void Cert_none_turns_verification_off_and_unknown_keys_are_refused()
    {
        Assert.False(AmqpTlsOptions.FromSetting(new Dictionary<string, object?> { ["cert_reqs"] = 0L }).VerifyServer);
        var error = Assert.Throws<ConfigurationException>(() => AmqpTlsOptions.FromSetting(new Dictionary<string, object?> { ["ciphers"] = "ALL" }));
        Assert.Contains("'ciphers' is not supported", error.Message, StringComparison.Ordinal);
        Assert.Throws<ConfigurationException>(() => AmqpTlsOptions.FromSetting(new Dictionary<string, object?> { ["cert_reqs"] = 7L }));
        Assert.Throws<ConfigurationException>(() => AmqpTlsOptions.FromSetting("yes"));
    }
}
