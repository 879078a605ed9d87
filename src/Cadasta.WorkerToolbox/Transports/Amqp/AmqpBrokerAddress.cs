using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using RabbitMQ.Client;

namespace Cadasta.WorkerToolbox.Transports.Amqp;

/// <summary>
/// A RabbitMQ broker URL read the way kombu reads it (<c>kombu/utils/url.py</c> <c>url_to_parts</c>):
/// <c>amqp://user:pass@host:port/vhost</c>, every part optional and percent-decoded; the path
/// after the first slash is the virtual host, so <c>//</c> and <c>/%2F</c> both mean <c>/</c>.
/// The password never appears in <see cref="ToString"/> or in an exception message.
/// </summary>
internal sealed record AmqpBrokerAddress
{
    /// <summary>The port of a plain AMQP listener.</summary>
    public const int DefaultPort = 5672;

    /// <summary>The port of a TLS AMQP listener.</summary>
    public const int DefaultTlsPort = 5671;

    private AmqpBrokerAddress(string scheme, string host, int port, string virtualHost, string userName, string password, bool useTls)
    {
        Scheme = scheme;
        Host = host;
        Port = port;
        VirtualHost = virtualHost;
        UserName = userName;
        Password = password;
        UseTls = useTls;
    }

    /// <summary>The scheme as written, lower case: <c>amqp</c>, <c>amqps</c> or <c>pyamqp</c>.</summary>
    public string Scheme { get; }

    /// <summary>The broker's host name or address (lower case, without IPv6 brackets).</summary>
    public string Host { get; }

    /// <summary>The broker's port.</summary>
    public int Port { get; }

    /// <summary>The virtual host.</summary>
    public string VirtualHost { get; }

    /// <summary>The user name.</summary>
    public string UserName { get; }

    /// <summary>The password (never printed).</summary>
    public string Password { get; }

    /// <summary>Whether the connection uses TLS (<c>amqps://</c>).</summary>
    public bool UseTls { get; }

    /// <summary>Whether <paramref name="url"/> names a scheme this transport serves.</summary>
    /// <param name="url">A broker URL.</param>
    public static bool Handles(string url) =>
        url is not null && TrySplitScheme(url, out var scheme, out _) && IsKnownScheme(scheme);

    /// <summary>Parses a broker URL.</summary>
    /// <param name="url">For example <c>amqp://guest:guest@127.0.0.1:5672//</c>.</param>
    /// <exception cref="FormatException">The URL is not an AMQP broker URL (the message never holds the password).</exception>
    public static AmqpBrokerAddress Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!TrySplitScheme(url, out var scheme, out var rest) || !IsKnownScheme(scheme))
        {
            throw new FormatException($"'{Mask(url)}' is not an AMQP broker URL (expected amqp://, amqps:// or pyamqp://).");
        }

        if (url.Contains(';', StringComparison.Ordinal))
        {
            throw new FormatException($"'{Mask(url)}' lists several brokers; failover URLs are not supported by the AMQP transport.");
        }

        // urlparse semantics: the fragment, then the query, end the part we read.
        var end = rest.IndexOfAny(['?', '#']);
        if (end >= 0)
        {
            rest = rest[..end];
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var netloc = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? string.Empty : rest[(slash + 1)..];

        string? user = null;
        string? password = null;
        var at = netloc.LastIndexOf('@');
        var hostPort = netloc;
        if (at >= 0)
        {
            var userInfo = netloc[..at];
            hostPort = netloc[(at + 1)..];
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            user = colon < 0 ? userInfo : userInfo[..colon];
            password = colon < 0 ? null : userInfo[(colon + 1)..];
        }

        var (host, portText) = SplitHostPort(hostPort, url);
        var useTls = string.Equals(scheme, "amqps", StringComparison.Ordinal);
        var port = useTls ? DefaultTlsPort : DefaultPort;
        if (portText.Length > 0)
        {
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
            {
                throw new FormatException($"'{Mask(url)}' has an invalid port '{portText}'.");
            }
        }

        return new AmqpBrokerAddress(
            scheme,
            NonEmptyOrDefault(Unquote(host).ToLowerInvariant(), "localhost"),
            port,
            NonEmptyOrDefault(Unquote(path), "/"),
            NonEmptyOrDefault(Unquote(user ?? string.Empty), "guest"),
            NonEmptyOrDefault(Unquote(password ?? string.Empty), "guest"),
            useTls);
    }

    /// <summary>The URL with the password replaced by <c>****</c>, safe to log.</summary>
    /// <param name="url">Any URL.</param>
    public static string Mask(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.Contains(';', StringComparison.Ordinal))
        {
            return string.Join(';', url.Split(';').Select(Mask));
        }

        if (!TrySplitScheme(url, out _, out var rest))
        {
            return url.Contains('@', StringComparison.Ordinal) ? "****" : url;
        }

        var prefixLength = url.Length - rest.Length;
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var netloc = slash < 0 ? rest : rest[..slash];
        var at = netloc.LastIndexOf('@');
        if (at < 0)
        {
            return url;
        }

        var colon = netloc.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || colon > at)
        {
            return url;
        }

        return string.Concat(url.AsSpan(0, prefixLength + colon + 1), "****", url.AsSpan(prefixLength + at));
    }

    /// <summary>Builds the RabbitMQ.Client connection factory for this broker.</summary>
    /// <param name="settings">Recovery, timing and TLS settings.</param>
    /// <param name="certificateValidator">Checks the broker's certificate when TLS is on (null: RabbitMQ.Client's own check).</param>
    public ConnectionFactory ToConnectionFactory(AmqpTransportSettings settings, AmqpCertificateValidator? certificateValidator = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var factory = new ConnectionFactory
        {
            HostName = Host,
            Port = Port,
            VirtualHost = VirtualHost,
            UserName = UserName,
            Password = Password,
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = settings.NetworkRecoveryInterval,
            RequestedHeartbeat = settings.Heartbeat,
        };
        if (UseTls || settings.Tls.Requested)
        {
            var tls = settings.Tls;
            factory.Ssl = new SslOption
            {
                Enabled = true,
                ServerName = tls.ServerName ?? Host,
                CertificateValidationCallback = certificateValidator is null ? null : certificateValidator.Validate,
            };
            if (tls.ClientCertificate is { } certificate)
            {
                factory.Ssl.Certs = [X509Certificate2.CreateFromPemFile(certificate, tls.ClientKey)];
            }
        }

        return factory;
    }

    /// <summary>The broker as <c>scheme://user@host:port/vhost</c>, without the password.</summary>
    public override string ToString()
    {
        var host = Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Scheme}://{Uri.EscapeDataString(UserName)}@{host}:{Port}/{Uri.EscapeDataString(VirtualHost)}");
    }

    private static bool TrySplitScheme(string url, out string scheme, out string rest)
    {
        var separator = url.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0)
        {
            scheme = string.Empty;
            rest = string.Empty;
            return false;
        }

        scheme = url[..separator].ToLowerInvariant();
        rest = url[(separator + 3)..];
        return true;
    }

    private static bool IsKnownScheme(string scheme) => scheme is "amqp" or "amqps" or "pyamqp";

    private static (string Host, string Port) SplitHostPort(string hostPort, string url)
    {
        if (hostPort.StartsWith('['))
        {
            var close = hostPort.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"'{Mask(url)}' has an unclosed IPv6 address.");
            }

            var after = hostPort[(close + 1)..];
            return (hostPort[1..close], after.StartsWith(':') ? after[1..] : after);
        }

        var colon = hostPort.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (hostPort, string.Empty) : (hostPort[..colon], hostPort[(colon + 1)..]);
    }

    private static string NonEmptyOrDefault(string value, string fallback) => value.Length == 0 ? fallback : value;

    /// <summary>Python's <c>urllib.parse.unquote</c>: %XX sequences are UTF-8 bytes; malformed ones stay as written.</summary>
    private static string Unquote(string text)
    {
        if (!text.Contains('%', StringComparison.Ordinal))
        {
            return text;
        }

        var bytes = new List<byte>(text.Length);
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length
                && byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            {
                bytes.Add(value);
                i += 2;
                continue;
            }

            Flush();
            result.Append(text[i]);
        }

        Flush();
        return result.ToString();

        void Flush()
        {
            if (bytes.Count > 0)
            {
                result.Append(Encoding.UTF8.GetString(bytes.ToArray()));
                bytes.Clear();
            }
        }
    }
}
