using System.Text;
using System.Text.Json;
using Cadasta.WorkerToolbox.Routing;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Amqp;
using RabbitMQ.Client.Exceptions;
using Xunit.Abstractions;

namespace Cadasta.WorkerToolbox.IntegrationTests.Transports.Amqp;

/// <summary>The AMQP transport next to real Celery 5.2.6 / kombu 5.2.4 on the same RabbitMQ.</summary>
[Collection(AmqpBrokerCollection.Name)]
public sealed class AmqpCeleryInteropTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>Declares the Cadasta topology as the toolbox's setup_exchanges does: every queue of app.amqp.queues via maybe_declare.</summary>
    private const string DeclareWithCelery = """
        import sys
        from celery import Celery
        from kombu import Exchange, Queue
        url, prefix = sys.argv[1], sys.argv[2]
        exchange = Exchange(prefix + 'task_exchange', 'topic')
        app = Celery('cadasta_declare', broker=url)
        app.conf.update(
            task_default_exchange=exchange.name, task_default_exchange_type='topic',
            task_default_queue=prefix + 'celery',
            task_queues=[Queue(prefix + 'celery', exchange, routing_key=prefix + 'celery'),
                         Queue(prefix + 'platform.fifo', exchange, routing_key='#'),
                         Queue(prefix + 'msg', exchange, routing_key=prefix + 'msg'),
                         Queue(prefix + 'export', exchange, routing_key=prefix + 'export')])
        with app.producer_or_acquire() as producer:
            for queue in app.amqp.queues.values():
                producer.maybe_declare(queue)
        print(len(app.amqp.queues))
        """;

    /// <summary>
    /// Runs a real Celery 5.2 worker (solo pool, in process) on one queue until it has run one
    /// task, which reports what the worker saw: its arguments and the request's headers.
    /// </summary>
    private const string RunOneTaskWithCelery = """
        import json, os, sys, threading, time
        from celery import Celery
        from celery.contrib.testing.worker import start_worker
        from kombu import Exchange, Queue
        url, prefix = sys.argv[1], sys.argv[2]
        exchange = Exchange(prefix + 'task_exchange', 'topic')
        app = Celery('cadasta_interop', broker=url, backend='cache+memory://')
        app.conf.update(task_default_exchange=exchange.name, task_default_exchange_type='topic',
                        task_queues=[Queue(prefix + 'msg', exchange, routing_key=prefix + 'msg')],
                        worker_hijack_root_logger=False)
        done = threading.Event()
        seen = {}

        @app.task(bind=True, name='msg.add')
        def add(self, a, b):
            seen.update(result=a + b, id=self.request.id, retries=self.request.retries,
                        custom=getattr(self.request, 'x-cadasta-properties', None),
                        correlation_id=self.request.correlation_id)
            done.set()
            return a + b

        with start_worker(app, pool='solo', concurrency=1, perform_ping_check=False, queues=[prefix + 'msg']):
            if not done.wait(60):
                sys.exit('the Celery worker ran no task within 60 s')
            state = 'PENDING'
            for _ in range(100):
                state = app.AsyncResult(seen['id']).state
                if state != 'PENDING':
                    break
                time.sleep(0.1)
            print(json.dumps(dict(seen, state=state)), flush=True)
            # The test worker's shutdown can hang on a solo pool; the task is done and acked.
            os._exit(0)
        """;

    private readonly string _prefix = AmqpTestBroker.UniqueName("celery") + ".";
    private readonly TestLoggerFactory _logs = new(output);
    private Topology _topology = null!;

    public Task InitializeAsync()
    {
        _topology = AmqpTestBroker.CadastaTopology(_prefix);
        return AmqpTestBroker.EnsureRunningAsync();
    }

    public Task DisposeAsync() => AmqpTestBroker.DeleteAsync(_topology);

    [Fact]
    public async Task Our_declarations_equal_Celerys_when_Celery_declares_first()
    {
        Assert.Equal("4", (await AmqpPythonPeer.RunAsync(DeclareWithCelery, AmqpTestBroker.Url, _prefix)).Trim());
        await using var transport = AmqpTestBroker.CreateTransport(_logs);

        await transport.DeclareAsync(_topology); // a difference would be PRECONDITION_FAILED

        await AssertRoutesLikeCadastaAsync(transport);
    }

    [Fact]
    public async Task Celerys_declarations_equal_ours_when_we_declare_first()
    {
        await using var transport = AmqpTestBroker.CreateTransport(_logs);
        await transport.DeclareAsync(_topology);

        Assert.Equal("4", (await AmqpPythonPeer.RunAsync(DeclareWithCelery, AmqpTestBroker.Url, _prefix)).Trim());

        await AssertRoutesLikeCadastaAsync(transport);
    }

    [Fact]
    public async Task A_declaration_that_differs_from_Celerys_is_refused_by_the_broker()
    {
        // Shows that the two tests above would notice a difference.
        await AmqpPythonPeer.RunAsync(DeclareWithCelery, AmqpTestBroker.Url, _prefix);
        await using var transport = AmqpTestBroker.CreateTransport(_logs);
        var exchange = _topology.Exchanges[0];
        var transient = new Topology([new QueueDeclaration(_prefix + "msg", exchange, _prefix + "msg", Durable: false)]);

        var error = await Assert.ThrowsAsync<OperationInterruptedException>(() => transport.DeclareAsync(transient));

        Assert.Equal(406, error.ShutdownReason!.ReplyCode);
    }

    [Fact]
    public async Task A_Celery_worker_runs_our_task_message_and_ignores_the_custom_properties_header()
    {
        await using var transport = AmqpTestBroker.CreateTransport(_logs);
        await transport.DeclareAsync(_topology);
        var id = Guid.NewGuid().ToString();
        var message = new TransportMessage
        {
            Body = Encoding.UTF8.GetBytes("[[2, 3], {}, {\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}]"),
            Headers = new Dictionary<string, object?>
            {
                ["lang"] = "py", ["task"] = "msg.add", ["id"] = id, ["shadow"] = null, ["eta"] = null, ["expires"] = null,
                ["group"] = null, ["group_index"] = null, ["retries"] = 0L, ["timelimit"] = new List<object?> { null, null },
                ["root_id"] = id, ["parent_id"] = null, ["argsrepr"] = "(2, 3)", ["kwargsrepr"] = "{}",
                ["origin"] = "gen1@dotnet", ["ignore_result"] = false,
            },
            Properties = new Dictionary<string, object?>
            {
                ["correlation_id"] = id, ["reply_to"] = "", ["creator_id"] = "user123", ["is_result"] = true,
            },
        };
        await transport.PublishAsync(_prefix + "task_exchange", _prefix + "msg", message);

        var report = JsonDocument.Parse(await AmqpPythonPeer.RunAsync(RunOneTaskWithCelery, AmqpTestBroker.Url, _prefix)).RootElement;
        output.WriteLine(report.ToString());

        Assert.Equal(5, report.GetProperty("result").GetInt32());
        Assert.Equal(id, report.GetProperty("id").GetString());
        Assert.Equal(id, report.GetProperty("correlation_id").GetString());
        Assert.Equal("SUCCESS", report.GetProperty("state").GetString());

        // The header reached the worker (merged into the request like any header) and changed nothing.
        var custom = report.GetProperty("custom");
        Assert.Equal("user123", custom.GetProperty("creator_id").GetString());
        Assert.True(custom.GetProperty("is_result").GetBoolean());
        Assert.Equal(0u, await AmqpTestBroker.MessageCountAsync(_prefix + "msg"));
    }

    private async Task AssertRoutesLikeCadastaAsync(ITransport transport)
    {
        await transport.PublishAsync(_prefix + "task_exchange", _prefix + "export", AmqpTransportTests.Message(1));

        Assert.Equal(1u, await AmqpTestBroker.MessageCountAsync(_prefix + "export"));
        Assert.Equal(1u, await AmqpTestBroker.MessageCountAsync(_prefix + "platform.fifo"));
        Assert.Equal(0u, await AmqpTestBroker.MessageCountAsync(_prefix + "msg"));
        Assert.Equal(0u, await AmqpTestBroker.MessageCountAsync(_prefix + "celery"));
    }
}
