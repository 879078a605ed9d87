using Cadasta.WorkerToolbox.IntegrationTests.Worker;

namespace Cadasta.WorkerToolbox.IntegrationTests.Telemetry;

/// <summary>The telemetry interop suite on the SQS emulator (queue prefix of its own): SQS's SentTimestamp gives every message a sent time.</summary>
public sealed class SqsTelemetryCeleryInteropTests(SqsInteropBroker broker)
    : TelemetryCeleryInteropSuite(broker, brokerRecordsSentTime: true), IClassFixture<SqsInteropBroker>;
