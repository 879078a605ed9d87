using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Worker;

namespace Cadasta.WorkerToolbox.Tests.Reliability.Hostile;

public sealed class RedeliveryGuardTests
{
    [Fact]
    public void Without_a_broker_count_a_first_delivery_runs_and_a_redelivery_is_published_again_counted()
    {
        var guard = new RedeliveryGuard(3);
        Assert.Equal(RedeliveryVerdict.Run, guard.Judge(new FakeDelivery(Message(), redelivered: false), "t1"));
        Assert.Equal(RedeliveryVerdict.Republish(2), guard.Judge(new FakeDelivery(Message(), redelivered: true), "t1"));
        Assert.Equal(RedeliveryVerdict.Republish(3), guard.Judge(new FakeDelivery(Message(deliveries: 2), redelivered: true), "t1"));
        Assert.Equal(RedeliveryVerdict.DeadLetter(4), guard.Judge(new FakeDelivery(Message(deliveries: 3), redelivered: true), "t1"));
    }

    [Fact]
    public void A_counted_copy_runs_until_its_count_passes_the_limit_and_a_forged_count_is_ignored()
    {
        var guard = new RedeliveryGuard(3);
        Assert.Equal(RedeliveryVerdict.Run, guard.Judge(new FakeDelivery(Message(deliveries: 3), redelivered: false), "t1"));
        Assert.Equal(RedeliveryVerdict.DeadLetter(4), guard.Judge(new FakeDelivery(Message(deliveries: 4), redelivered: false), "t1"));
        Assert.Equal(RedeliveryVerdict.Run, guard.Judge(new FakeDelivery(Message(header: "many"), redelivered: false), "t1"));
        Assert.Equal(RedeliveryVerdict.Run, guard.Judge(new FakeDelivery(Message(header: -5L), redelivered: false), "t1"));
    }

    [Fact]
    public void A_return_the_worker_asked_for_itself_is_not_counted_once()
    {
        var guard = new RedeliveryGuard(3);
        guard.NoteOwnReturn("t1");
        Assert.Equal(RedeliveryVerdict.Run, guard.Judge(new FakeDelivery(Message(), redelivered: true), "t1"));
        Assert.Equal(RedeliveryVerdict.Republish(2), guard.Judge(new FakeDelivery(Message(), redelivered: true), "t1"));
        Assert.Equal(RedeliveryVerdict.Republish(2), guard.Judge(new FakeDelivery(Message(), redelivered: true), null));
    }

    [Fact]
    public void A_broker_count_is_used_as_it_is_less_the_workers_own_returns()
    {
        var guard = new RedeliveryGuard(3);
        Assert.Equal(RedeliveryVerdict.Run, guard.Judge(new FakeDelivery(Message(), redelivered: true, count: 3), "t1"));
        Assert.Equal(RedeliveryVerdict.DeadLetter(4), guard.Judge(new FakeDelivery(Message(), redelivered: true, count: 4), "t1"));
        guard.NoteOwnReturn("t1");
        guard.NoteOwnReturn("t1");
        Assert.Equal(RedeliveryVerdict.Run, guard.Judge(new FakeDelivery(Message(), redelivered: true, count: 5), "t1"));
        Assert.Equal(RedeliveryVerdict.DeadLetter(4), guard.Judge(new FakeDelivery(Message(), redelivered: true, count: 6), "t1"));
    }

    [Fact]
    public void The_memory_of_own_returns_is_bounded()
    {
        var guard = new RedeliveryGuard(1);
        for (var i = 0; i <= RedeliveryGuard.Capacity; i++)
        {
            guard.NoteOwnReturn("t" + i);
        }

        // Full: it started over, so the first ids are forgotten (counted, never run forever) and the last one is remembered.
        Assert.Equal(RedeliveryVerdict.DeadLetter(2), guard.Judge(new FakeDelivery(Message(), redelivered: true), "t0"));
        Assert.Equal(RedeliveryVerdict.Run, guard.Judge(new FakeDelivery(Message(), redelivered: true), "t" + RedeliveryGuard.Capacity));
    }

    [Fact]
    public void The_counted_copy_keeps_everything_but_adds_the_count()
    {
        var original = Message();
        var copy = RedeliveryGuard.WithDeliveries(original, 4);
        Assert.Equal(4L, copy.Headers[RedeliveryGuard.DeliveriesHeader]);
        Assert.Equal("t1", copy.Headers["id"]);
        Assert.Equal(original.Body.ToArray(), copy.Body.ToArray());
        Assert.Same(original.Properties, copy.Properties);
    }

    private static TransportMessage Message(long? deliveries = null, object? header = null)
    {
        var headers = new Dictionary<string, object?> { ["id"] = "t1", ["task"] = "msg.add" };
        if (deliveries is not null || header is not null)
        {
            headers[RedeliveryGuard.DeliveriesHeader] = header ?? deliveries;
        }

        return new TransportMessage { Body = "[[], {}, {}]"u8.ToArray(), Headers = headers };
    }

    private sealed class FakeDelivery(TransportMessage message, bool redelivered, int? count = null)
        : Delivery(message, "msg", "task_exchange", "msg", redelivered)
    {
        internal override int? DeliveryCount => count;

        protected override Task AckCoreAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        protected override Task RejectCoreAsync(bool requeue, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
