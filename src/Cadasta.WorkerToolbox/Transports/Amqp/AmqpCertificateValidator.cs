using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Cadasta.WorkerToolbox.Transports.Amqp;

/// <summary>
/// Checks the broker's TLS certificate: its name always (unless verification is off), and its
/// chain against the CA certificates of <c>broker_use_ssl['ca_certs']</c> when given (only them:
/// the system's roots are not consulted), else against the system's roots. Remembers why it last
/// refused, so the connection error can say it plainly.
/// </summary>
internal sealed class AmqpCertificateValidator(AmqpTlsOptions options)
{
    private readonly X509Certificate2Collection? _authorities = options.CaCertificates is { } path ? LoadAuthorities(path) : null;
    private string? _lastRefusal;

    /// <summary>Why the last certificate was refused, or null.</summary>
    public string? LastRefusal => Volatile.Read(ref _lastRefusal);

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (!options.VerifyServer)
        {
            return true;
        }

        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return Refuse("the broker presented no certificate");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return Refuse($"its certificate ({certificate.Subject}) is not issued for the name the client checks");
        }

        if (_authorities is null)
        {
            return errors == SslPolicyErrors.None
                || Refuse($"its certificate ({certificate.Subject}, issued by {certificate.Issuer}) does not chain to a root the system trusts: " +
                    Describe(chain) + " (give the CA with broker_use_ssl={'ca_certs': '/path/ca.pem'})");
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements.Skip(1))
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf)
            || Refuse($"its certificate ({certificate.Subject}, issued by {certificate.Issuer}) is not signed by a CA of broker_use_ssl ca_certs '{options.CaCertificates}': {Describe(custom)}");
    }

    private static X509Certificate2Collection LoadAuthorities(string path)
    {
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new Configuration.ConfigurationException($"broker_use_ssl: cannot read the CA certificates '{path}': {error.Message}", error);
        }

        return authorities.Count > 0
            ? authorities
            : throw new Configuration.ConfigurationException($"broker_use_ssl: '{path}' holds no PEM certificate.");
    }

    private static string Describe(X509Chain? chain) =>
        chain is null || chain.ChainStatus.Length == 0
            ? "chain not trusted"
            : string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal));

    private bool Refuse(string reason)
    {
        Volatile.Write(ref _lastRefusal, reason);
        return false;
    }
}
