using Cadasta.WorkerToolbox.Transports.Sqs;

namespace Cadasta.WorkerToolbox.Tests.Transports.Sqs;

public sealed class SqsQueueNamesTests
{
    [Theory]
    [InlineData("dev-", "platform.fifo", "dev-platform.fifo")]
    [InlineData("dev-", "export.project", "dev-export-project")]
    [InlineData("dev-", "export", "dev-export")]
    [InlineData("", "a.b:c@d", "a-b_c_d")]
    [InlineData("dev-", "my.queue.fifo", "dev-my-queue.fifo")]
    [InlineData("", "info.fifo", "info.fifo")]
    [InlineData("dev.", "celery", "dev-celery")]
    [InlineData("", "a!\"#$%&'()*+,/;<=>?[\\]^`{|}~z", "a___________________________z")]
    [InlineData("", "keep-these_and spaces", "keep-these_and spaces")]
    [InlineData("", "fifo", "fifo")]
    public void Canonical_names_follow_kombu(string prefix, string queue, string expected) =>
        Assert.Equal(expected, SqsQueueNames.Canonical(prefix, queue));

    [Theory]
    [InlineData("platform.fifo", true)]
    [InlineData("platform-fifo", false)]
    [InlineData("export", false)]
    public void Fifo_is_the_dot_fifo_suffix(string queue, bool fifo) =>
        Assert.Equal(fifo, SqsQueueNames.IsFifo(queue));
}
