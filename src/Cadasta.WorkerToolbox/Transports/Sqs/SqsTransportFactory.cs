using Amazon.Runtime;
using Amazon.SQS;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cadasta.WorkerToolbox.Transports.Sqs;

/// <summary>Creates <c>sqs://</c> transports (Amazon SQS, or an SQS emulator) that interoperate with kombu 5.2.</summary>
public static class SqsTransportFactory
{
    /// <summary>
    /// Creates an SQS transport from a Celery broker URL and <c>broker_transport_options</c>, read as
    /// kombu reads them. <c>sqs://</c> uses the AWS default credential chain and AWS's endpoint for
    /// the region; <c>sqs://KEY:SECRET@</c> uses those keys (URL-decoded); <c>sqs://KEY:SECRET@host:port/</c>
    /// also sets the endpoint (<c>http</c> unless the option <c>is_secure</c> is true). Options:
    /// <c>region</c>, <c>queue_name_prefix</c>, <c>wait_time_seconds</c>, <c>visibility_timeout</c>,
    /// <c>polling_interval</c>, <c>predefined_queues</c> (name → <c>{url}</c>), <c>sqs-creation-attributes</c>,
    /// <c>sqs_base64_encoding</c>. The secret is never logged.
    /// </summary>
    /// <param name="brokerUrl">The broker URL, for example <c>sqs://</c> or <c>sqs://KEY:SECRET@127.0.0.1:9324/</c>.</param>
    /// <param name="transportOptions">Celery's <c>broker_transport_options</c>; null for kombu's defaults.</param>
    /// <param name="loggerFactory">Where the transport logs; null for none.</param>
    /// <param name="timeProvider">The clock for polling intervals; null for the system clock.</param>
    /// <returns>The transport; dispose it to stop its consumers and close its client.</returns>
    public static ITransport Create(
        string brokerUrl,
        IReadOnlyDictionary<string, object?>? transportOptions = null,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null) =>
        CreateTransport(brokerUrl, transportOptions, loggerFactory, timeProvider);

    internal static SqsTransport CreateTransport(
        string brokerUrl,
        IReadOnlyDictionary<string, object?>? transportOptions,
        ILoggerFactory? loggerFactory,
        TimeProvider? timeProvider)
    {
        var environmentRegion = Environment.GetEnvironmentVariable("AWS_REGION") is { Length: > 0 } region
            ? region
            : Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION");
        var settings = SqsTransportSettings.Parse(brokerUrl, transportOptions, environmentRegion);
        var client = CreateClient(settings);
        return new SqsTransport(settings, client, ownsClient: true, loggerFactory ?? NullLoggerFactory.Instance, timeProvider ?? TimeProvider.System);
    }

    internal static AmazonSQSClient CreateClient(SqsTransportSettings settings)
    {
        // Region and endpoint are always explicit, so the SDK never asks the EC2 metadata service
        // for a region; with keys in the URL it never asks it for credentials either.
        var config = new AmazonSQSConfig();
        if (settings.ServiceUrl is not null)
        {
            config.ServiceURL = settings.ServiceUrl.ToString();
            config.AuthenticationRegion = settings.Region;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(settings.Region);
        }

        // Long polls last up to 20 s; leave room above that.
        config.Timeout = TimeSpan.FromSeconds(SqsTransportSettings.MaxWaitTimeSeconds + 40);
        if (settings.AccessKeyId is null)
        {
            return new AmazonSQSClient(config);
        }

        if (settings.SecretAccessKey is null)
        {
            throw new ArgumentException("The sqs:// broker URL names an access key but no secret (sqs://KEY:SECRET@...).", nameof(settings));
        }

        return new AmazonSQSClient(new BasicAWSCredentials(settings.AccessKeyId, settings.SecretAccessKey), config);
    }
}
