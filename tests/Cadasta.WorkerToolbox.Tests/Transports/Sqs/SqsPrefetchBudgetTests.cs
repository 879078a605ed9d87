using Cadasta.WorkerToolbox.Transports.Sqs;

namespace Cadasta.WorkerToolbox.Tests.Transports.Sqs;

public sealed class SqsPrefetchBudgetTests
{
    [Fact]
    public async Task Reservations_never_exceed_the_limit()
    {
        var budget = new SqsPrefetchBudget(3);

        Assert.Equal(3, await budget.ReserveAsync(10, CancellationToken.None));
        var waiting = budget.ReserveAsync(10, CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        budget.Release(2);
        Assert.Equal(2, await waiting);
    }

    [Fact]
    public async Task Waiters_are_served_in_arrival_order()
    {
        var budget = new SqsPrefetchBudget(1);
        Assert.Equal(1, await budget.ReserveAsync(1, CancellationToken.None));
        var first = budget.ReserveAsync(1, CancellationToken.None);
        budget.Release(1);

        // The credit went to the waiter, not to a newcomer.
        var newcomer = budget.ReserveAsync(1, CancellationToken.None);
        Assert.Equal(1, await first);
        Assert.False(newcomer.IsCompleted);
        budget.Release(1);
        Assert.Equal(1, await newcomer);
    }

    [Fact]
    public async Task Zero_means_no_limit_and_raising_the_limit_wakes_waiters()
    {
        var budget = new SqsPrefetchBudget(1);
        Assert.Equal(1, await budget.ReserveAsync(10, CancellationToken.None));
        var waiting = budget.ReserveAsync(10, CancellationToken.None);

        budget.SetLimit(0);

        Assert.Equal(10, await waiting);
        Assert.Equal(10, await budget.ReserveAsync(10, CancellationToken.None));
    }

    [Fact]
    public async Task A_cancelled_wait_takes_no_credit()
    {
        var budget = new SqsPrefetchBudget(1);
        Assert.Equal(1, await budget.ReserveAsync(1, CancellationToken.None));
        using var cancel = new CancellationTokenSource();
        var waiting = budget.ReserveAsync(1, cancel.Token);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        budget.Release(1);
        Assert.Equal(1, await budget.ReserveAsync(1, CancellationToken.None));
    }
}
