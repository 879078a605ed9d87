using Cadasta.WorkerToolbox.Worker;

namespace Cadasta.WorkerToolbox.Tests.Worker;

public sealed class RetryPolicyTests
{
    [Fact]
    public void Retry_within_the_limit_is_a_retry_request_with_the_countdown()
    {
        var context = TaskInvoker.Context("msg.retry", retries: 2);
        var retry = Assert.IsType<TaskRetryException>(context.Retry(countdown: TimeSpan.FromMilliseconds(100)));
        Assert.Equal(TimeSpan.FromMilliseconds(100), retry.Countdown);
    }

    [Fact]
    public void Retry_without_countdown_uses_the_default_retry_delay()
    {
        var context = TaskInvoker.Context("msg.retry");
        var retry = Assert.IsType<TaskRetryException>(context.Retry());
        Assert.Equal(TimeSpan.FromSeconds(180), retry.Countdown);
    }

    [Fact]
    public void Retry_past_max_retries_is_max_retries_exceeded_with_celerys_message()
    {
        var context = TaskInvoker.Context("msg.retry", args: [1L], retries: 3);
        var error = Assert.IsType<PythonException>(context.Retry());
        Assert.Equal("MaxRetriesExceededError", error.ExceptionType);
        Assert.Equal("celery.exceptions", error.ExceptionModule);
        Assert.Equal("Can't retry msg.retry[11111111-2222-3333-4444-555555555555] args:(1,) kwargs:{}", error.Message);
    }

    [Fact]
    public void Retry_past_the_limit_with_an_exception_gives_that_exception_back()
    {
        var cause = new TimeoutException("slow");
        var context = TaskInvoker.Context("msg.retry", retries: 1);
        Assert.Same(cause, context.Retry(maxRetries: 1, exception: cause));
    }

    [Fact]
    public void Max_retries_argument_overrides_the_task_setting()
    {
        var context = TaskInvoker.Context("msg.retry", retries: 5, settings: new TaskSettings { MaxRetries = 2 });
        Assert.IsType<TaskRetryException>(context.Retry(maxRetries: 10));
        Assert.IsType<PythonException>(context.Retry());
    }

    [Fact]
    public void Unlimited_retries_never_exceed()
    {
        var context = TaskInvoker.Context("msg.retry", retries: 100_000, settings: new TaskSettings { MaxRetries = null });
        Assert.IsType<TaskRetryException>(context.Retry());
    }

    [Fact]
    public void Extract_followups_moves_callbacks_off_and_keeps_errbacks()
    {
        IReadOnlyDictionary<string, object?> link = new Dictionary<string, object?> { ["task"] = "platform.done" };
        IReadOnlyDictionary<string, object?> errback = new Dictionary<string, object?> { ["task"] = "platform.failed" };
        var context = TaskInvoker.Context("export.project", callbacks: [link], errbacks: [errback]);

        var followups = context.ExtractFollowups();

        Assert.Equal("platform.done", Assert.Single(followups.Link!).Task);
        Assert.Equal("platform.failed", Assert.Single(followups.LinkError!).Task);
        Assert.Null(context.Callbacks);
        Assert.Equal("platform.failed", Assert.Single(context.Errbacks!).Task);

        var carrier = followups.ApplyTo(Cadasta.WorkerToolbox.Protocol.Signature.Create("export.result"));
        Assert.Equal("platform.done", Assert.Single(Assert.IsAssignableFrom<IEnumerable<object?>>(carrier.Options["link"])) is Cadasta.WorkerToolbox.Protocol.Signature s ? s.Task : null);
    }
}
