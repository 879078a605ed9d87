using Cadasta.WorkerToolbox.IntegrationTests.Worker;

namespace Cadasta.WorkerToolbox.IntegrationTests.Cli;

/// <summary>The CLI interop suite on SQS (the emulator), under a queue prefix of its own.</summary>
public sealed class SqsCliCeleryInteropTests(SqsInteropBroker broker) : CliCeleryInteropSuite(broker), IClassFixture<SqsInteropBroker>;
