using Cadasta.WorkerToolbox.IntegrationTests.Worker;

namespace Cadasta.WorkerToolbox.IntegrationTests.Telemetry;

/// <summary>The telemetry interop suite on RabbitMQ (virtual host of its own): no broker sent time, so the header and the AMQP timestamp count.</summary>
public sealed class AmqpTelemetryCeleryInteropTests(AmqpInteropBroker broker)
    : TelemetryCeleryInteropSuite(broker, brokerRecordsSentTime: false), IClassFixture<AmqpInteropBroker>
{
    [Fact]
    public async Task A_python_message_with_the_amqp_timestamp_property_gets_its_queue_latency_from_it()
    {
        await using var worker = await OurWorkerAsync();
        var hourAgo = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds();

        var latencies = await SendProbeFromPythonAsync("--amqp-timestamp", hourAgo.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(Assert.Single(latencies) >= 3600, $"latency {latencies[0]} s: the timestamp property an hour back should have been used");
    }
}
