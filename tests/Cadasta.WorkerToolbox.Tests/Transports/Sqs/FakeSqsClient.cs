using System.Collections.Concurrent;
using System.Reflection;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace Cadasta.WorkerToolbox.Tests.Transports.Sqs;

/// <summary>
/// An in-process stand-in for the handful of SQS calls the settlement batcher makes: records
/// each request and can hold calls in flight until the test opens <see cref="Gate"/>.
/// Any other call fails the test.
/// </summary>
public class FakeSqsClient : DispatchProxy
{
    public ConcurrentQueue<AmazonWebServiceRequestRecord> Calls { get; } = new();

    public TaskCompletionSource Gate { get; set; } = CompletedGate();

    public Func<DeleteMessageBatchRequest, DeleteMessageBatchResponse> OnDeleteBatch { get; set; } = _ => new DeleteMessageBatchResponse();

    public static (IAmazonSQS Client, FakeSqsClient Fake) Create()
    {
        var client = Create<IAmazonSQS, FakeSqsClient>();
        return (client, (FakeSqsClient)(object)client);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var request = args?.FirstOrDefault();
        Calls.Enqueue(new AmazonWebServiceRequestRecord(targetMethod.Name, request));
        return targetMethod.Name switch
        {
            nameof(IAmazonSQS.DeleteMessageAsync) => AfterGate(() => new DeleteMessageResponse()),
            nameof(IAmazonSQS.DeleteMessageBatchAsync) => AfterGate(() => OnDeleteBatch((DeleteMessageBatchRequest)request!)),
            nameof(IAmazonSQS.ChangeMessageVisibilityAsync) => AfterGate(() => new ChangeMessageVisibilityResponse()),
            nameof(IAmazonSQS.ChangeMessageVisibilityBatchAsync) => AfterGate(() => new ChangeMessageVisibilityBatchResponse()),
            _ => throw new NotSupportedException($"FakeSqsClient does not implement {targetMethod.Name}"),
        };
    }

    private static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource();
        gate.SetResult();
        return gate;
    }

    private async Task<T> AfterGate<T>(Func<T> response)
    {
        await Gate.Task.ConfigureAwait(false);
        return response();
    }
}

/// <summary>One recorded call.</summary>
public sealed record AmazonWebServiceRequestRecord(string Method, object? Request);
