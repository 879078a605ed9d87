namespace Cadasta.WorkerToolbox.IntegrationTests.Worker;

/// <summary>The worker interop suite on SQS (the emulator), under a queue prefix of its own.</summary>
public sealed class SqsWorkerCeleryInteropTests(SqsInteropBroker broker) : WorkerCeleryInteropSuite(broker), IClassFixture<SqsInteropBroker>;
