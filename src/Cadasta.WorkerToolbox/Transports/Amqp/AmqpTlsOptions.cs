using System.Globalization;
using Cadasta.WorkerToolbox.Configuration;

namespace Cadasta.WorkerToolbox.Transports.Amqp;

/// <summary>
/// TLS for the AMQP connection, read from Celery's <c>broker_use_ssl</c> as kombu hands it to py-amqp:
/// <c>True</c> (TLS, the server verified against the system's trusted roots), or a dict with
/// <c>ca_certs</c> (PEM file of the CA certificates the server's certificate must chain to, instead of
/// the system's), <c>cert_reqs</c> (<c>ssl.CERT_NONE</c> = 0: no verification; 1 or 2, the default:
/// verified), <c>certfile</c>/<c>keyfile</c> (a client certificate, PEM) and <c>server_hostname</c>
/// (the name the certificate must carry; default: the URL's host). An <c>amqps://</c> URL turns TLS
/// on by itself; <c>broker_use_ssl</c> turns it on for <c>amqp://</c> too, as in Celery.
/// </summary>
internal sealed record AmqpTlsOptions
{
    /// <summary>No <c>broker_use_ssl</c>: TLS only for <c>amqps://</c>, verified against the system's roots.</summary>
    public static AmqpTlsOptions None { get; } = new();

    /// <summary>Whether <c>broker_use_ssl</c> asked for TLS.</summary>
    public bool Requested { get; init; }

    /// <summary>The PEM file of trusted CA certificates (<c>ca_certs</c>), or null for the system's roots.</summary>
    public string? CaCertificates { get; init; }

    /// <summary>Whether the server's certificate is verified (false only for <c>cert_reqs</c> 0).</summary>
    public bool VerifyServer { get; init; } = true;

    /// <summary>The client certificate's PEM file (<c>certfile</c>), or null.</summary>
    public string? ClientCertificate { get; init; }

    /// <summary>The client key's PEM file (<c>keyfile</c>), or null (then the key is in <see cref="ClientCertificate"/>).</summary>
    public string? ClientKey { get; init; }

    /// <summary>The name the server's certificate must carry (<c>server_hostname</c>), or null for the URL's host.</summary>
    public string? ServerName { get; init; }

    /// <summary>Reads <c>broker_use_ssl</c> (null, a bool or a dict).</summary>
    /// <param name="value">The setting's value.</param>
    /// <exception cref="ConfigurationException">A key or value that cannot be honoured.</exception>
    public static AmqpTlsOptions FromSetting(object? value)
    {
        switch (value)
        {
            case null or false or 0L:
                return None;
            case true or 1L:
                return new AmqpTlsOptions { Requested = true };
            case IReadOnlyDictionary<string, object?> options:
                var tls = new AmqpTlsOptions { Requested = true };
                foreach (var (key, option) in options)
                {
                    tls = key switch
                    {
                        "ca_certs" => tls with { CaCertificates = Text(key, option) },
                        "certfile" => tls with { ClientCertificate = Text(key, option) },
                        "keyfile" => tls with { ClientKey = Text(key, option) },
                        "server_hostname" => tls with { ServerName = Text(key, option) },
                        "cert_reqs" => tls with { VerifyServer = CertificateRequired(option) },
                        _ => throw new ConfigurationException(
                            $"broker_use_ssl: '{key}' is not supported by the AMQP transport (supported: ca_certs, cert_reqs, certfile, keyfile, server_hostname)."),
                    };
                }

                return tls;
            default:
                throw new ConfigurationException("broker_use_ssl must be True, False or a dict (ca_certs, cert_reqs, certfile, keyfile, server_hostname).");
        }
    }

    private static string Text(string key, object? value) =>
        value as string ?? throw new ConfigurationException($"broker_use_ssl: '{key}' must be a path (str).");

    /// <summary>Python's ssl.CERT_NONE (0), CERT_OPTIONAL (1), CERT_REQUIRED (2), also accepted by name.</summary>
    private static bool CertificateRequired(object? value) => value switch
    {
        0L or "CERT_NONE" or "ssl.CERT_NONE" => false,
        1L or 2L or "CERT_OPTIONAL" or "CERT_REQUIRED" or "ssl.CERT_OPTIONAL" or "ssl.CERT_REQUIRED" => true,
        _ => throw new ConfigurationException(
            $"broker_use_ssl: cert_reqs must be 0 (CERT_NONE), 1 (CERT_OPTIONAL) or 2 (CERT_REQUIRED), not {Convert.ToString(value, CultureInfo.InvariantCulture)}."),
    };
}
