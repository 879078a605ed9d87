using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Memory;

namespace Cadasta.WorkerToolbox.Tests.Transports;

public sealed class TransportFactoryTests
{
    private static readonly Dictionary<string, string> NoEnvironment = [];

    [Fact]
    public void The_toolbox_default_broker_is_sqs()
    {
        Assert.Equal("sqs://", TransportFactory.BrokerUrl(new Config(environment: NoEnvironment)));
    }

    [Fact]
    public void Broker_url_wins_over_broker_transport()
    {
        var config = new Config(environment: new Dictionary<string, string> { ["CELERY_BROKER_URL"] = "amqp://guest:guest@127.0.0.1:5672//" });

        Assert.Equal("amqp://guest:guest@127.0.0.1:5672//", TransportFactory.BrokerUrl(config));
    }

    [Theory]
    [InlineData("amqp://guest:guest@127.0.0.1:5672//", "AmqpTransport")]
    [InlineData("pyamqp://127.0.0.1//", "AmqpTransport")]
    [InlineData("sqs://key:secret@127.0.0.1:9324/", "SqsTransport")]
    [InlineData("memory://", "MemoryTransport")]
    public async Task Each_scheme_opens_its_transport_without_connecting(string url, string typeName)
    {
        var config = new Config(environment: new Dictionary<string, string> { ["CELERY_BROKER_URL"] = url });

        await using var transport = TransportFactory.Create(config, new MemoryBroker());

        Assert.Equal(typeName, transport.GetType().Name);
    }

    [Fact]
    public void Memory_needs_the_shared_broker()
    {
        var config = new Config(environment: new Dictionary<string, string> { ["CELERY_BROKER_URL"] = "memory://" });

        var error = Assert.Throws<ConfigurationException>(() => TransportFactory.Create(config));
        Assert.Contains("MemoryBroker", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_scheme_is_a_clear_error()
    {
        var config = new Config(environment: new Dictionary<string, string> { ["CELERY_BROKER_URL"] = "redis://u:pw@localhost:6379/0" });

        var error = Assert.Throws<ConfigurationException>(() => TransportFactory.Create(config));
        Assert.Equal("The broker 'redis://' is not supported: use sqs://, amqp://, amqps:// or memory://.", error.Message);
    }
}
