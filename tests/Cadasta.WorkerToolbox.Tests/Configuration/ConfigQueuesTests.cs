using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Routing;
using static Cadasta.WorkerToolbox.Tests.Configuration.TestConfig;

namespace Cadasta.WorkerToolbox.Tests.Configuration;

/// <summary>The generated <c>task_queues</c>, the router and the topology built from them.</summary>
public sealed class ConfigQueuesTests
{
    private static readonly ExchangeDeclaration TaskExchange = new("task_exchange", "topic");

    [Fact]
    public void The_default_queues_are_celery_the_platform_queue_msg_and_export()
    {
        var config = Build();

        Assert.Equal(["msg", "export"], config.Queues);
        Assert.Equal("platform.fifo", config.PlatformQueueName);
        Assert.Equal(
            [
                new QueueDeclaration("celery", TaskExchange, "celery"),
                new QueueDeclaration("platform.fifo", TaskExchange, "#"),
                new QueueDeclaration("msg", TaskExchange, "msg"),
                new QueueDeclaration("export", TaskExchange, "export"),
            ],
            config.TaskQueues);
    }

    [Fact]
    public void Custom_queues_from_the_environment_each_get_a_queue_bound_by_its_name()
    {
        var config = FromEnvironment(("CELERY_QUEUES", "('msg','export','geo')"));

        Assert.Equal(["msg", "export", "geo"], config.Queues);
        Assert.Equal(5, config.TaskQueues.Count);
        Assert.Equal(["celery", "platform.fifo", "msg", "export", "geo"], config.TaskQueues.Select(q => q.Name));
        Assert.Equal(["celery", "#", "msg", "export", "geo"], config.TaskQueues.Select(q => q.RoutingKey));
        Assert.All(config.TaskQueues, q => Assert.Equal(TaskExchange, q.Exchange));
    }

    [Fact]
    public void Custom_queues_from_code_may_be_a_list()
    {
        var config = Build(new() { ["QUEUES"] = new List<string> { "foo" } });

        Assert.Equal(["foo"], config.Queues);
        Assert.Equal(["celery", "platform.fifo", "foo"], config.TaskQueues.Select(q => q.Name));
    }

    [Fact]
    public void A_custom_platform_queue_is_bound_with_hash()
    {
        var config = Build(new() { ["PLATFORM_QUEUE_NAME"] = "monitor.fifo" });

        var platform = config.TaskQueues.Single(q => q.RoutingKey == "#");
        Assert.Equal("monitor.fifo", platform.Name);
        Assert.DoesNotContain(config.TaskQueues, q => q.Name == "platform.fifo");
    }

    [Fact]
    public void A_custom_exchange_is_used_by_every_queue_and_by_the_router()
    {
        var config = FromEnvironment(("CELERY_TASK_DEFAULT_EXCHANGE", "jobs"), ("CELERY_TASK_DEFAULT_EXCHANGE_TYPE", "direct"));

        Assert.All(config.TaskQueues, q => Assert.Equal(new ExchangeDeclaration("jobs", "direct"), q.Exchange));
        Assert.Equal(new TaskRoute("jobs", "export"), config.RouteTask("export.project"));
    }

    [Fact]
    public void Listing_celery_in_queues_declares_it_once()
    {
        var config = FromEnvironment(("CELERY_QUEUES", "('celery', 'msg')"));

        Assert.Equal(["celery", "platform.fifo", "msg"], config.TaskQueues.Select(q => q.Name));
    }

    [Fact]
    public void A_queue_that_would_be_bound_twice_differently_is_an_error()
    {
        var error = Fails(environment: new() { ["CELERY_QUEUES"] = "('platform.fifo',)" });

        Assert.Contains("'platform.fifo'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Task_queues_given_in_code_replace_the_generated_ones()
    {
        var only = new QueueDeclaration("only", TaskExchange, "only");
        var config = Build(new() { ["task_queues"] = new[] { only } });

        Assert.Equal([only], config.TaskQueues);
    }

    [Fact]
    public void Task_queues_in_code_must_be_queue_declarations()
    {
        var error = Fails(new() { ["task_queues"] = new[] { "msg" } });

        Assert.Equal("task_queues", error.Name);
    }

    [Fact]
    public void The_default_router_routes_by_the_first_segment_of_the_task_name()
    {
        var config = Build();

        Assert.Equal(new TaskRoute("task_exchange", "export"), config.RouteTask("export.project.xls"));
        Assert.Equal(new TaskRoute("task_exchange", "hello"), config.RouteTask("hello"));
    }

    [Fact]
    public void Routers_given_in_code_are_asked_in_order()
    {
        var config = Build(new() { ["task_routes"] = new ITaskRouter[] { new NoOpinionRouter(), new FirstSegmentRouter("other") } });

        Assert.Equal(2, config.TaskRouters.Count);
        Assert.Equal(new TaskRoute("other", "msg"), config.RouteTask("msg.send"));
    }

    [Fact]
    public void The_topology_fans_a_task_out_to_its_queue_and_the_platform_queue()
    {
        var topology = Build().CreateTopology();

        Assert.Equal(["export", "platform.fifo"], topology.QueuesFor("task_exchange", "export").Order(StringComparer.Ordinal));
        Assert.Equal(["platform.fifo"], topology.QueuesFor("task_exchange", "unknownprefix"));
        Assert.Equal(new ExchangeDeclaration("task_exchange", "topic"), Assert.Single(topology.Exchanges));
    }

    private sealed class NoOpinionRouter : ITaskRouter
    {
        public string Description => "never routes";

        public TaskRoute? Route(string taskName) => null;
    }
}
