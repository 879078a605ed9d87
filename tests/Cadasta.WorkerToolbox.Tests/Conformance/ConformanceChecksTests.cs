using System.Numerics;
using Cadasta.WorkerToolbox.Conformance;
using Cadasta.WorkerToolbox.Routing;
using Cadasta.WorkerToolbox.Tests.Routing;

namespace Cadasta.WorkerToolbox.Tests.Conformance;

public sealed class ConformanceChecksTests
{
    private static readonly string[] CheckNames =
    [
        "default_queue_name", "platform_queue_name", "default_exchange_type", "default_exchange_routing",
        "celery_exchange_routing", "celery_task_routing", "max_retries",
    ];

    private static ConformanceSubject Subject(
        Topology? topology = null,
        IReadOnlyList<ITaskRouter>? routers = null,
        string defaultExchange = "task_exchange",
        string defaultQueue = "celery",
        string platformQueue = "platform.fifo",
        IReadOnlyList<string>? serviceQueues = null) =>
        WithRetries(21600L, topology, routers, defaultExchange, defaultQueue, platformQueue, serviceQueues);

    private static ConformanceSubject WithRetries(
        object? chordUnlockMaxRetries,
        Topology? topology = null,
        IReadOnlyList<ITaskRouter>? routers = null,
        string defaultExchange = "task_exchange",
        string defaultQueue = "celery",
        string platformQueue = "platform.fifo",
        IReadOnlyList<string>? serviceQueues = null) =>
        new(
            topology ?? CadastaTopologyFixture.Create(),
            routers ?? [new FirstSegmentRouter("task_exchange")],
            defaultExchange,
            defaultQueue,
            platformQueue,
            serviceQueues ?? CadastaTopologyFixture.DefaultServiceQueues,
            chordUnlockMaxRetries);

    private static ConformanceCheckResult Check(ConformanceSubject subject, string name) =>
        Assert.Single(ConformanceChecks.Run(subject), r => r.Name == name);

    private static void AssertOnlyFailure(ConformanceSubject subject, string name, params string[] messageParts)
    {
        var results = ConformanceChecks.Run(subject);
        var failed = Assert.Single(results, r => !r.Passed);
        Assert.Equal(name, failed.Name);
        foreach (var part in messageParts)
        {
            Assert.Contains(part, failed.Message, StringComparison.Ordinal);
        }

        var error = Assert.Throws<ConformanceException>(() => ConformanceChecks.Verify(subject));
        Assert.Equal([failed.Name], error.Failures.Select(f => f.Name));
        Assert.Contains($"FAIL {name}: {failed.Message}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_Cadasta_defaults_pass_every_check()
    {
        var results = ConformanceChecks.Run(Subject());
        Assert.Equal(CheckNames, results.Select(r => r.Name));
        Assert.All(results, r => Assert.True(r.Passed, r.ToString()));
        ConformanceChecks.Verify(Subject());
    }

    [Fact]
    public void Results_print_as_one_line_each()
    {
        var result = Check(Subject(), "default_queue_name");
        Assert.Equal("PASS default_queue_name: the default queue (task_default_queue) is 'celery'", result.ToString());
        Assert.Equal("FAIL default_queue_name: expected the default queue (task_default_queue) to be 'celery', found 'tasks'", Check(Subject(defaultQueue: "tasks"), "default_queue_name").ToString());
    }

    [Fact]
    public void Another_default_queue_fails() =>
        AssertOnlyFailure(Subject(defaultQueue: "tasks"), "default_queue_name", "'celery'", "'tasks'");

    [Fact]
    public void Another_platform_queue_name_fails()
    {
        var exchange = CadastaTopologyFixture.TaskExchange;
        var topology = new Topology(CadastaTopologyFixture.Queues(exchange, ["msg", "export"]).Select(q => q.Name == "platform.fifo" ? q with { Name = "platform" } : q));
        AssertOnlyFailure(Subject(topology: topology, platformQueue: "platform"), "platform_queue_name", "'platform.fifo'", "found 'platform'");

        // Routing checks follow the configured platform queue: with the topology unchanged they fail too.
        var error = Assert.Throws<ConformanceException>(() => ConformanceChecks.Verify(Subject(platformQueue: "platform")));
        Assert.Contains("found ['platform.fifo', 'msg']", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_direct_default_exchange_fails()
    {
        var direct = new ExchangeDeclaration("task_exchange", ExchangeDeclaration.Direct);
        var results = ConformanceChecks.Run(Subject(topology: CadastaTopologyFixture.Create(direct, "msg", "export")));
        var type = Assert.Single(results, r => r.Name == "default_exchange_type");
        Assert.False(type.Passed);
        Assert.Contains("topic exchange, found a 'direct' exchange", type.Message, StringComparison.Ordinal);

        // On a direct exchange '#' is a plain key, so the platform queue receives nothing either.
        Assert.False(Check(Subject(topology: CadastaTopologyFixture.Create(direct, "msg", "export")), "default_exchange_routing").Passed);
    }

    [Fact]
    public void An_undeclared_default_exchange_fails()
    {
        var result = Check(Subject(defaultExchange: "celery"), "default_exchange_type");
        Assert.False(result.Passed);
        Assert.Contains("'celery'", result.Message, StringComparison.Ordinal);
        Assert.Contains("found no exchange of that name", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_service_queue_bound_with_hash_too_fails_routing_of_every_key()
    {
        var exchange = CadastaTopologyFixture.TaskExchange;
        var topology = new Topology([.. CadastaTopologyFixture.Queues(exchange, ["msg", "export"]), new QueueDeclaration("greedy", exchange, "#")]);
        var subject = Subject(topology: topology);

        var routing = Check(subject, "default_exchange_routing");
        Assert.False(routing.Passed);
        Assert.Contains("routing key 'msg' on exchange 'task_exchange' to reach exactly ['msg', 'platform.fifo'], found ['platform.fifo', 'msg', 'greedy']", routing.Message, StringComparison.Ordinal);
        Assert.Contains("routing key 'export'", routing.Message, StringComparison.Ordinal);
        Assert.False(Check(subject, "celery_exchange_routing").Passed);
        Assert.False(Check(subject, "celery_task_routing").Passed);
        var error = Assert.Throws<ConformanceException>(() => ConformanceChecks.Verify(subject));
        Assert.Equal(["default_exchange_routing", "celery_exchange_routing", "celery_task_routing"], error.Failures.Select(f => f.Name));
    }

    [Fact]
    public void A_missing_platform_queue_fails_every_routing_check()
    {
        var exchange = CadastaTopologyFixture.TaskExchange;
        var topology = new Topology(CadastaTopologyFixture.Queues(exchange, ["msg", "export"]).Where(q => q.Name != "platform.fifo"));
        var error = Assert.Throws<ConformanceException>(() => ConformanceChecks.Verify(Subject(topology: topology)));
        Assert.Equal(["default_exchange_routing", "celery_exchange_routing", "celery_task_routing"], error.Failures.Select(f => f.Name));
        Assert.Contains("found ['celery']", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("3 Cadasta conformance check(s) failed:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_service_queue_that_is_not_declared_fails_routing()
    {
        var result = Check(Subject(serviceQueues: ["msg", "export", "parcels"]), "default_exchange_routing");
        Assert.False(result.Passed);
        Assert.Contains("routing key 'parcels'", result.Message, StringComparison.Ordinal);
        Assert.Contains("found ['platform.fifo']", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'msg'", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_celery_queue_fails_both_celery_checks()
    {
        var exchange = CadastaTopologyFixture.TaskExchange;
        var topology = new Topology(CadastaTopologyFixture.Queues(exchange, ["msg", "export"]).Where(q => q.Name != "celery"));
        var error = Assert.Throws<ConformanceException>(() => ConformanceChecks.Verify(Subject(topology: topology)));
        Assert.Equal(["celery_exchange_routing", "celery_task_routing"], error.Failures.Select(f => f.Name));
    }

    [Fact]
    public void No_router_for_chord_unlock_fails_task_routing() =>
        AssertOnlyFailure(Subject(routers: [new NoOpinionRouter()]), "celery_task_routing", "'celery.chord_unlock'", "found none does");

    [Fact]
    public void The_first_router_with_an_opinion_wins()
    {
        Assert.True(Check(Subject(routers: [new NoOpinionRouter(), new FirstSegmentRouter("task_exchange")]), "celery_task_routing").Passed);
        AssertOnlyFailure(
            Subject(routers: [new FixedRouter(new TaskRoute("task_exchange", "msg")), new FirstSegmentRouter("task_exchange")]),
            "celery_task_routing",
            "routing key 'msg'",
            "found ['platform.fifo', 'msg']");
    }

    [Fact]
    public void Chord_unlock_routed_to_another_exchange_fails() =>
        AssertOnlyFailure(Subject(routers: [new FirstSegmentRouter("celery")]), "celery_task_routing", "exchange 'celery'", "found []");

    [Fact]
    public void A_binding_key_kombu_cannot_compile_fails_instead_of_throwing()
    {
        var exchange = CadastaTopologyFixture.TaskExchange;
        var topology = new Topology([.. CadastaTopologyFixture.Queues(exchange, ["msg", "export"]), new QueueDeclaration("bad", exchange, "*bad")]);
        var result = Check(Subject(topology: topology), "celery_exchange_routing");
        Assert.False(result.Passed);
        Assert.Contains("cannot be routed", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_service_queues_pass_as_in_the_original() =>
        Assert.True(Check(Subject(serviceQueues: []), "default_exchange_routing").Passed);

    public static TheoryData<object> IntegerRetries => new() { 21600L, 21600, (short)3, (byte)0, -1L, 5UL, new BigInteger(7) };

    [Theory]
    [MemberData(nameof(IntegerRetries))]
    public void Integer_max_retries_pass(object retries) =>
        Assert.True(Check(WithRetries(retries), "max_retries").Passed);

    public static TheoryData<object?, string> NonIntegerRetries => new()
    {
        { null, "found null" },
        { 21600.0, "found Double 21600" },
        { "21600", "found the string '21600'" },
        { true, "found Boolean True" },
        { 1.5m, "found Decimal 1.5" },
    };

    [Theory]
    [MemberData(nameof(NonIntegerRetries))]
    public void Non_integer_max_retries_fail(object? retries, string found) =>
        AssertOnlyFailure(WithRetries(retries), "max_retries", "expected 'celery.chord_unlock' max retries to be an integer", found);

    [Fact]
    public void Every_broken_rule_is_listed_in_one_exception()
    {
        var direct = new ExchangeDeclaration("task_exchange", ExchangeDeclaration.Direct);
        var subject = WithRetries(
            null,
            topology: CadastaTopologyFixture.Create(direct, "msg", "export"),
            defaultQueue: "default",
            platformQueue: "platform");
        var error = Assert.Throws<ConformanceException>(() => ConformanceChecks.Verify(subject));
        Assert.Equal(CheckNames, error.Failures.Select(f => f.Name));
        foreach (var name in CheckNames)
        {
            Assert.Contains($"FAIL {name}: ", error.Message, StringComparison.Ordinal);
        }
    }

    private sealed class NoOpinionRouter : ITaskRouter
    {
        public string Description => "no opinion";

        public TaskRoute? Route(string taskName) => null;
    }

    private sealed class FixedRouter(TaskRoute route) : ITaskRouter
    {
        public string Description => $"always {route}";

        public TaskRoute? Route(string taskName) => route;
    }
}
