using Cadasta.WorkerToolbox.Transports.Amqp;

namespace Cadasta.WorkerToolbox.Tests.Transports.Amqp;

public sealed class AmqpAckPlannerTests
{
    [Fact]
    public void Acks_below_every_unsettled_tag_go_out_as_one_multiple_ack()
    {
        var planner = Delivered(1, 2, 3, 4, 5);
        planner.Ack(2);
        planner.Ack(1);
        planner.Ack(3);

        Assert.Equal([(3UL, true)], planner.TakeFrames());
        Assert.Empty(planner.TakeFrames());
    }

    [Fact]
    public void Acks_above_an_unsettled_tag_go_out_one_by_one_so_the_unsettled_one_is_never_covered()
    {
        var planner = Delivered(1, 2, 3, 4, 5);
        planner.Ack(1);
        planner.Ack(2);
        planner.Ack(4);
        planner.Ack(5);

        // Tag 3 is still running: a multiple ack of 4 or 5 would acknowledge it.
        Assert.Equal([(2UL, true), (4UL, false), (5UL, false)], planner.TakeFrames());
    }

    [Fact]
    public void A_lone_ack_is_a_plain_ack()
    {
        var planner = Delivered(7, 8);
        planner.Ack(7);

        Assert.Equal([(7UL, false)], planner.TakeFrames());
    }

    [Fact]
    public void A_reject_blocks_multiple_acks_until_its_frame_is_sent()
    {
        var planner = Delivered(1, 2, 3);
        planner.Ack(2);
        planner.Ack(3);
        Assert.Equal([(2UL, false), (3UL, false)], planner.TakeFrames());

        planner.Rejected(1);
        var more = Delivered(planner, 4, 5);
        more.Ack(4);
        more.Ack(5);
        Assert.Equal([(5UL, true)], more.TakeFrames());
    }

    [Fact]
    public void After_the_channel_closed_nothing_of_it_is_acknowledged()
    {
        var planner = Delivered(1, 2);
        planner.Ack(1);
        planner.Reset();

        Assert.Empty(planner.TakeFrames());
        planner.Delivered(1);
        planner.Ack(1);
        Assert.Equal([(1UL, false)], planner.TakeFrames());
    }

    private static AmqpAckPlanner Delivered(params ulong[] tags) => Delivered(new AmqpAckPlanner(), tags);

    private static AmqpAckPlanner Delivered(AmqpAckPlanner planner, params ulong[] tags)
    {
        foreach (var tag in tags)
        {
            planner.Delivered(tag);
        }

        return planner;
    }
}
