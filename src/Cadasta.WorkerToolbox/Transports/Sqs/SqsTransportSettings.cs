using System.Globalization;

namespace Cadasta.WorkerToolbox.Transports.Sqs;

/// <summary>
/// The broker URL and transport options of an <c>sqs://</c> transport, read as kombu 5.2.4 reads
/// them (<c>kombu/transport/SQS.py</c>): keys in the URL's user info (URL-decoded) or the AWS
/// default credential chain; host and port in the URL as the endpoint, <c>https</c> only when the
/// <c>is_secure</c> option is true (kombu builds <c>http://host:port</c> otherwise); no host: the AWS
/// endpoint of <see cref="Region"/>.
/// </summary>
internal sealed record SqsTransportSettings
{
    /// <summary>SQS's largest long-poll wait.</summary>
    public const int MaxWaitTimeSeconds = 20;

    public string? AccessKeyId { get; init; }

    public string? SecretAccessKey { get; init; }

    /// <summary>The endpoint from the URL's host and port, or null for AWS's regional endpoint.</summary>
    public Uri? ServiceUrl { get; init; }

    public string Region { get; init; } = "us-east-1";

    public string QueueNamePrefix { get; init; } = string.Empty;

    public int WaitTimeSeconds { get; init; } = 10;

    public int VisibilityTimeoutSeconds { get; init; } = 1800;

    public TimeSpan PollingInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>kombu 5.2.4's <c>sqs_base64_encoding</c>: base64 the envelope (true) or send raw JSON.</summary>
    public bool Base64Encoding { get; init; } = true;

    /// <summary>Queue URLs by SQS name from <c>predefined_queues</c>; when set, no queue is listed or created.</summary>
    public IReadOnlyDictionary<string, string> PredefinedQueues { get; init; } = new Dictionary<string, string>();

    /// <summary>Extra CreateQueue attributes from <c>sqs-creation-attributes</c>.</summary>
    public IReadOnlyDictionary<string, string> CreationAttributes { get; init; } = new Dictionary<string, string>();

    /// <summary>Reads a broker URL (<c>sqs://</c>, <c>sqs://KEY:SECRET@</c>, <c>sqs://KEY:SECRET@host:port/</c>) and kombu transport options.</summary>
    /// <param name="brokerUrl">The broker URL.</param>
    /// <param name="options">Celery's <c>broker_transport_options</c>; null for none.</param>
    /// <param name="environmentRegion">The region from the environment (AWS_REGION, AWS_DEFAULT_REGION), used when the options name none.</param>
    public static SqsTransportSettings Parse(string brokerUrl, IReadOnlyDictionary<string, object?>? options, string? environmentRegion = null)
    {
        ArgumentNullException.ThrowIfNull(brokerUrl);
        options ??= new Dictionary<string, object?>();
        var (accessKey, secretKey, host, port) = ParseUrl(brokerUrl);
        var isSecure = GetBool(options, "is_secure");
        Uri? serviceUrl = null;
        if (host is not null)
        {
            var scheme = isSecure == true ? "https" : "http";
            var hostText = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
            serviceUrl = new Uri(port is null ? $"{scheme}://{hostText}" : $"{scheme}://{hostText}:{port.Value.ToString(CultureInfo.InvariantCulture)}");
        }

        var waitTime = GetInt(options, "wait_time_seconds") ?? 10;
        if (waitTime is < 0 or > MaxWaitTimeSeconds)
        {
            throw new ArgumentException($"Transport option wait_time_seconds must be between 0 and {MaxWaitTimeSeconds}, not {waitTime}.", nameof(options));
        }

        var visibility = GetInt(options, "visibility_timeout");
        return new SqsTransportSettings
        {
            AccessKeyId = accessKey,
            SecretAccessKey = secretKey,
            ServiceUrl = serviceUrl,
            Region = GetString(options, "region") is { Length: > 0 } region ? region
                : string.IsNullOrEmpty(environmentRegion) ? "us-east-1" : environmentRegion,
            QueueNamePrefix = GetString(options, "queue_name_prefix") ?? string.Empty,
            WaitTimeSeconds = waitTime,

            // kombu: `options.get('visibility_timeout') or 1800`, so 0 also means the default.
            VisibilityTimeoutSeconds = visibility is null or 0 ? 1800 : visibility.Value,
            PollingInterval = TimeSpan.FromSeconds(GetDouble(options, "polling_interval") ?? 1.0),
            Base64Encoding = GetBool(options, "sqs_base64_encoding") ?? true,
            PredefinedQueues = ReadPredefinedQueues(options),
            CreationAttributes = ReadStringMap(options, "sqs-creation-attributes"),
        };
    }

    /// <summary>Never shows the secret.</summary>
    public override string ToString() =>
        $"sqs://{(AccessKeyId is null ? string.Empty : AccessKeyId + ":***@")}{ServiceUrl?.Authority} region={Region} prefix='{QueueNamePrefix}' wait={WaitTimeSeconds}s visibility={VisibilityTimeoutSeconds}s";

    private static (string? AccessKey, string? SecretKey, string? Host, int? Port) ParseUrl(string brokerUrl)
    {
        var schemeEnd = brokerUrl.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            if (brokerUrl is "sqs")
            {
                return (null, null, null, null);
            }

            throw new ArgumentException($"'{brokerUrl}' is not an sqs:// broker URL.", nameof(brokerUrl));
        }

        var scheme = brokerUrl[..schemeEnd];
        if (!string.Equals(scheme, "sqs", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"The broker URL scheme is '{scheme}', not 'sqs'.", nameof(brokerUrl));
        }

        // Split by hand: a secret may hold '/' or '+' (URL-encoded or not), which System.Uri mangles.
        var rest = brokerUrl[(schemeEnd + 3)..];
        var pathStart = rest.IndexOfAny(['/', '?']);
        var authority = pathStart < 0 ? rest : rest[..pathStart];
        string? accessKey = null, secretKey = null;
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = authority[..at];
            authority = authority[(at + 1)..];
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            accessKey = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
            secretKey = colon < 0 ? null : Uri.UnescapeDataString(userInfo[(colon + 1)..]);
            accessKey = accessKey.Length == 0 ? null : accessKey;
            secretKey = string.IsNullOrEmpty(secretKey) ? null : secretKey;
        }

        if (authority.Length == 0)
        {
            return (accessKey, secretKey, null, null);
        }

        string host;
        int? port = null;
        var portSeparator = authority.StartsWith('[') ? authority.IndexOf("]:", StringComparison.Ordinal) + 1 : authority.LastIndexOf(':');
        if (portSeparator > 0)
        {
            host = authority[..portSeparator];
            port = int.Parse(authority[(portSeparator + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
        }
        else
        {
            host = authority;
        }

        return (accessKey, secretKey, host.Trim('[', ']'), port);
    }

    private static Dictionary<string, string> ReadPredefinedQueues(IReadOnlyDictionary<string, object?> options)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (options.GetValueOrDefault("predefined_queues") is not IEnumerable<KeyValuePair<string, object?>> queues)
        {
            return result;
        }

        foreach (var (name, settings) in queues)
        {
            if (settings is not IEnumerable<KeyValuePair<string, object?>> queueSettings
                || queueSettings.FirstOrDefault(p => p.Key == "url").Value is not string { Length: > 0 } url)
            {
                throw new ArgumentException($"predefined_queues['{name}'] needs a 'url'.", nameof(options));
            }

            var unsupported = queueSettings.Select(p => p.Key).Where(k => k is "access_key_id" or "secret_access_key" or "region" or "backoff_policy" or "backoff_tasks").ToList();
            if (unsupported.Count > 0)
            {
                throw new NotSupportedException($"predefined_queues['{name}']: per-queue {string.Join(", ", unsupported)} are not supported; use the broker URL's credentials and the 'region' option.");
            }

            result[name] = url;
        }

        return result;
    }

    private static Dictionary<string, string> ReadStringMap(IReadOnlyDictionary<string, object?> options, string key)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (options.GetValueOrDefault(key) is IEnumerable<KeyValuePair<string, object?>> map)
        {
            foreach (var (name, value) in map)
            {
                result[name] = Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
            }
        }

        return result;
    }

    private static string? GetString(IReadOnlyDictionary<string, object?> options, string key) =>
        options.GetValueOrDefault(key) is { } value ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;

    private static double? GetDouble(IReadOnlyDictionary<string, object?> options, string key) => options.GetValueOrDefault(key) switch
    {
        null => null,
        string s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
        IConvertible c => c.ToDouble(CultureInfo.InvariantCulture),
        var other => throw new ArgumentException($"Transport option {key} must be a number, not {other.GetType().Name}.", nameof(options)),
    };

    private static int? GetInt(IReadOnlyDictionary<string, object?> options, string key) =>
        GetDouble(options, key) is { } value ? checked((int)Math.Round(value)) : null;

    private static bool? GetBool(IReadOnlyDictionary<string, object?> options, string key) => options.GetValueOrDefault(key) switch
    {
        null => null,
        bool b => b,
        string s => s.Trim().ToUpperInvariant() is "TRUE" or "1" or "YES" or "ON",
        IConvertible c => c.ToDouble(CultureInfo.InvariantCulture) != 0,
        var other => throw new ArgumentException($"Transport option {key} must be a boolean, not {other.GetType().Name}.", nameof(options)),
    };
}
