using System.Text;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Cadasta.WorkerToolbox.Python;
using Cadasta.WorkerToolbox.TestSupport.Interop;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Sqs;

namespace Cadasta.WorkerToolbox.IntegrationTests.Reliability.Hostile;

/// <summary>
/// The SQS emulator under a queue prefix of its own (queues deleted afterwards), written to with
/// raw SendMessage: kombu's envelope around the fuzz message, or a broken envelope.
/// </summary>
internal sealed class SqsHostileBroker : IHostileBroker
{
    private const string Endpoint = "http://127.0.0.1:9324";
    private readonly string _prefix = $"h{Guid.NewGuid().ToString("N")[..12]}";
    private readonly AmazonSQSClient _client = new(new BasicAWSCredentials("test", "test"), new AmazonSQSConfig { ServiceURL = Endpoint, AuthenticationRegion = "us-west-2" });
    private readonly Dictionary<string, string> _urls = [];

    public string Name => "SQS";

    public IReadOnlyDictionary<string, string> WorkerEnvironment => new Dictionary<string, string>
    {
        ["CELERY_BROKER_URL"] = "sqs://test:test@127.0.0.1:9324/",
        ["CELERY_QUEUE_PREFIX"] = _prefix,
        ["CELERY_BROKER_TRANSPORT_OPTIONS"] = $"{{'region': 'us-west-2', 'queue_name_prefix': '{_prefix}-', 'wait_time_seconds': 1, 'visibility_timeout': 60, 'is_secure': False}}",
        ["AWS_EC2_METADATA_DISABLED"] = "true",
    };

    public Task PrepareAsync() => RequiredService.Sqs.EnsureAsync();

    public async Task SendAsync(HostileMessage message)
    {
        var body = message.SqsRawBody ?? Envelope(message);
        await _client.SendMessageAsync(new SendMessageRequest { QueueUrl = await UrlAsync("msg"), MessageBody = body });
    }

    public async Task<long> DepthAsync(string queue)
    {
        var attributes = await _client.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = await UrlAsync(queue),
            AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        });
        return attributes.Attributes.Values.Sum(long.Parse);
    }

    public async Task<List<TransportMessage>> DrainAsync(string queue)
    {
        var messages = new List<TransportMessage>();
        var url = await UrlAsync(queue);
        while (true)
        {
            var received = await _client.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 10, WaitTimeSeconds = 1 });
            if (received.Messages is not { Count: > 0 })
            {
                return messages;
            }

            foreach (var message in received.Messages)
            {
                messages.Add(SqsEnvelope.Decode(message.Body).Message);
                await _client.DeleteMessageAsync(url, message.ReceiptHandle);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            var queues = await _client.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = _prefix + "-" });
            foreach (var url in queues.QueueUrls ?? [])
            {
                await _client.DeleteQueueAsync(new DeleteQueueRequest { QueueUrl = url });
            }
        }
        catch (Exception failure) when (failure is AmazonServiceException or HttpRequestException)
        {
            // The emulator is gone; its queues went with it.
        }

        _client.Dispose();
    }

    // kombu's envelope, not base64-wrapped. A UTF-8 body travels as text (no body_encoding, as kombu
    // reads it), so 100,000 levels of nesting fit SQS's 256 KiB; other bodies go base64 as kombu sends them.
    private static string Envelope(HostileMessage message)
    {
        var transport = new TransportMessage { Body = message.Body, ContentType = message.ContentType, ContentEncoding = message.ContentEncoding, Headers = message.Headers };
        string? text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(message.Body);
        }
        catch (DecoderFallbackException)
        {
            text = null;
        }

        if (text is null || message.ContentType == Cadasta.WorkerToolbox.Protocol.TaskMessageCodec.PickleContentType)
        {
            return SqsEnvelope.Encode(transport, "task_exchange", "msg", Guid.NewGuid().ToString(), base64Envelope: false);
        }

        var json = new StringBuilder(text.Length + 1024);
        json.Append("{\"body\": ");
        PythonJson.WriteString(json, text);
        json.Append(", \"content-encoding\": ");
        PythonJson.WriteString(json, message.ContentEncoding);
        json.Append(", \"content-type\": ");
        PythonJson.WriteString(json, message.ContentType);
        json.Append(", \"headers\": ");
        PythonJson.Write(json, message.Headers, PythonJsonDefault.JsonLikeOnly);
        json.Append(", \"properties\": {\"delivery_info\": {\"exchange\": \"task_exchange\", \"routing_key\": \"msg\"}, \"priority\": 0, \"delivery_tag\": \"");
        json.Append(Guid.NewGuid()).Append("\"}}");
        return json.ToString();
    }

    private async Task<string> UrlAsync(string queue)
    {
        if (!_urls.TryGetValue(queue, out var url))
        {
            url = (await _client.GetQueueUrlAsync(SqsQueueNames.Canonical(_prefix + "-", queue))).QueueUrl;
            _urls[queue] = url;
        }

        return url;
    }
}
