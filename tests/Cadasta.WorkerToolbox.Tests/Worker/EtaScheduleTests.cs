using Cadasta.WorkerToolbox.Worker;

namespace Cadasta.WorkerToolbox.Tests.Worker;

public sealed class EtaScheduleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Items_come_out_in_eta_order_whatever_order_they_went_in()
    {
        var schedule = new EtaSchedule<string>();
        schedule.Add("late", T0.AddSeconds(10));
        schedule.Add("early", T0.AddSeconds(5));
        schedule.Add("middle", T0.AddSeconds(7));

        Assert.Equal(["early", "middle", "late"], schedule.TakeDue(T0.AddSeconds(10)));
    }

    [Fact]
    public void Only_due_items_are_taken()
    {
        var schedule = new EtaSchedule<string>();
        schedule.Add("now", T0);
        schedule.Add("later", T0.AddMinutes(1));

        Assert.Equal(["now"], schedule.TakeDue(T0));
        Assert.Equal(1, schedule.Count);
        Assert.Equal(T0.AddMinutes(1), schedule.NextDue);
    }

    [Fact]
    public void Equal_etas_keep_arrival_order()
    {
        var schedule = new EtaSchedule<int>();
        for (var i = 0; i < 5; i++)
        {
            schedule.Add(i, T0);
        }

        Assert.Equal([0, 1, 2, 3, 4], schedule.TakeDue(T0));
    }

    [Fact]
    public void Add_reports_whether_the_item_is_now_the_earliest()
    {
        var schedule = new EtaSchedule<string>();
        Assert.True(schedule.Add("a", T0.AddSeconds(5)));
        Assert.False(schedule.Add("b", T0.AddSeconds(6)));
        Assert.True(schedule.Add("c", T0.AddSeconds(1)));
    }

    [Fact]
    public void Take_all_empties_the_schedule()
    {
        var schedule = new EtaSchedule<string>();
        schedule.Add("a", T0);
        schedule.Add("b", T0.AddDays(1));
        Assert.Equal(2, schedule.TakeAll().Count);
        Assert.Null(schedule.NextDue);
    }
}
