using Cadasta.WorkerToolbox.Routing;

namespace Cadasta.WorkerToolbox.Tests.Routing;

public sealed class TopologyTests
{
    private static readonly FirstSegmentRouter Router = new("task_exchange");

    private static IReadOnlyList<string> Route(Topology topology, string taskName)
    {
        var route = Router.Route(taskName) ?? throw new InvalidOperationException("FirstSegmentRouter always routes.");
        return topology.QueuesFor(route.Exchange, route.RoutingKey);
    }

    [Theory]
    [InlineData("export.project", "export")]
    [InlineData("export.project.xls", "export")]
    [InlineData("export.utils.create_result", "export")]
    [InlineData("msg.send", "msg")]
    [InlineData("celery.chord_unlock", "celery")]
    [InlineData("export", "export")]
    public void A_task_reaches_its_service_queue_and_the_platform_queue(string taskName, string serviceQueue)
    {
        var reached = Route(CadastaTopologyFixture.Create(), taskName);
        Assert.Equal(new[] { serviceQueue, "platform.fifo" }.Order(StringComparer.Ordinal), reached.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("unknownprefix.task")]
    [InlineData("hello")]
    [InlineData("exports.project")]
    public void A_task_with_an_unknown_prefix_reaches_only_the_platform_queue(string taskName) =>
        Assert.Equal(["platform.fifo"], Route(CadastaTopologyFixture.Create(), taskName));

    [Fact]
    public void FirstSegmentRouter_routes_by_the_first_segment_on_its_exchange()
    {
        Assert.Equal(new TaskRoute("task_exchange", "export"), Router.Route("export.project.xls"));
        Assert.Equal(new TaskRoute("task_exchange", "hello"), Router.Route("hello"));
        Assert.Equal(new TaskRoute("task_exchange", ""), Router.Route(".hidden"));
    }

    [Fact]
    public void Queues_come_once_each_in_declaration_order()
    {
        var exchange = CadastaTopologyFixture.TaskExchange;
        var topology = new Topology(
        [
            new QueueDeclaration("z-all", exchange, "#"),
            new QueueDeclaration("a-exact", exchange, "a.b"),
            new QueueDeclaration("m-star", exchange, "a.*"),
        ]);
        Assert.Equal(["z-all", "a-exact", "m-star"], topology.QueuesFor("task_exchange", "a.b"));
    }

    [Fact]
    public void The_empty_exchange_delivers_to_the_queue_named_by_the_key()
    {
        var topology = CadastaTopologyFixture.Create();
        Assert.Equal(["export"], topology.QueuesFor("", "export"));
        Assert.Equal(["not-declared"], topology.QueuesFor("", "not-declared"));
        Assert.Empty(topology.QueuesFor("", ""));
    }

    [Fact]
    public void An_unknown_exchange_delivers_nowhere() =>
        Assert.Empty(CadastaTopologyFixture.Create().QueuesFor("other_exchange", "export"));

    [Fact]
    public void A_direct_exchange_delivers_on_the_exact_key_only()
    {
        var direct = new ExchangeDeclaration("celery", ExchangeDeclaration.Direct);
        var topology = new Topology([new QueueDeclaration("celery", direct, "celery"), new QueueDeclaration("all", direct, "#")]);
        Assert.Equal(["celery"], topology.QueuesFor("celery", "celery"));
        Assert.Empty(topology.QueuesFor("celery", "celery.x"));
        Assert.Equal(["all"], topology.QueuesFor("celery", "#"));
        Assert.Empty(topology.QueuesFor("celery", "export"));
    }

    [Fact]
    public void A_fanout_exchange_delivers_to_every_bound_queue_whatever_the_key()
    {
        var fanout = new ExchangeDeclaration("broadcast", ExchangeDeclaration.Fanout);
        var topic = CadastaTopologyFixture.TaskExchange;
        var topology = new Topology(
        [
            new QueueDeclaration("one", fanout, "one"),
            new QueueDeclaration("two", fanout, "ignored"),
            new QueueDeclaration("elsewhere", topic, "#"),
        ]);
        Assert.Equal(["one", "two"], topology.QueuesFor("broadcast", "anything"));
        Assert.Equal(["one", "two"], topology.QueuesFor("broadcast", ""));
    }

    [Fact]
    public void Bindings_only_apply_on_their_own_exchange()
    {
        var other = new ExchangeDeclaration("other", ExchangeDeclaration.Topic);
        var topology = new Topology([new QueueDeclaration("export", CadastaTopologyFixture.TaskExchange, "export"), new QueueDeclaration("other-all", other, "#")]);
        Assert.Equal(["export"], topology.QueuesFor("task_exchange", "export"));
        Assert.Equal(["other-all"], topology.QueuesFor("other", "export"));
    }

    [Fact]
    public void A_queue_declared_twice_is_an_error()
    {
        var exchange = CadastaTopologyFixture.TaskExchange;
        var error = Assert.Throws<ArgumentException>(() => new Topology([new QueueDeclaration("export", exchange, "export"), new QueueDeclaration("export", exchange, "#")]));
        Assert.Contains("'export'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_exchange_declared_with_two_types_is_an_error()
    {
        var error = Assert.Throws<ArgumentException>(() => new Topology(
        [
            new QueueDeclaration("a", new ExchangeDeclaration("task_exchange", ExchangeDeclaration.Topic), "a"),
            new QueueDeclaration("b", new ExchangeDeclaration("task_exchange", ExchangeDeclaration.Direct), "b"),
        ]));
        Assert.Contains("task_exchange", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Exchanges_bindings_and_queues_are_listed()
    {
        var extra = new ExchangeDeclaration("unbound", ExchangeDeclaration.Direct);
        var topology = new Topology(CadastaTopologyFixture.Queues(CadastaTopologyFixture.TaskExchange, ["msg", "export"]), [extra]);
        Assert.Equal([CadastaTopologyFixture.TaskExchange, extra], topology.Exchanges);
        Assert.Equal(["celery", "platform.fifo", "msg", "export"], topology.Queues.Select(q => q.Name));
        Assert.Contains(new Binding("platform.fifo", "task_exchange", "#"), topology.Bindings);
        Assert.Equal(4, topology.Bindings.Count);
        Assert.Equal(extra, topology.FindExchange("unbound"));
        Assert.Null(topology.FindExchange("nope"));
        Assert.Empty(topology.QueuesFor("unbound", "x"));
    }

    [Fact]
    public void A_binding_key_kombu_cannot_compile_fails_routing_with_a_clear_error()
    {
        var topology = new Topology([new QueueDeclaration("bad", CadastaTopologyFixture.TaskExchange, "*bad")]);
        var error = Assert.Throws<ArgumentException>(() => topology.QueuesFor("task_exchange", "x"));
        Assert.Contains("*bad", error.Message, StringComparison.Ordinal);
    }
}
