using System.Threading.Channels;
using Cadasta.WorkerToolbox.Hosting;
using Cadasta.WorkerToolbox.Routing;
using Cadasta.WorkerToolbox.Transports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cadasta.WorkerToolbox.Tests.Hosting;

/// <summary>A hosted worker whose broker consumer ends by itself stops the host, and the host's run fails with the reason.</summary>
public sealed class ConsumerFailureStopsHostTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cadasta-consumer-failure-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_consumer_cancelled_by_the_broker_stops_the_host_and_fails_its_run()
    {
        var transport = new BreakableTransport();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<ITransport>(transport);
        builder.Services.AddCadastaWorker(options =>
        {
            options.Environment = new Dictionary<string, string>();
            options.Settings["broker_url"] = "memory://";
            options.Settings["result_backend"] = $"db+sqlite:///{Path.Combine(_folder, "results.db")}";
        });
        using var host = builder.Build();
        var running = host.RunAsync();
        await transport.Consuming.Task.WaitAsync(TimeSpan.FromSeconds(30));

        transport.Break(new InvalidOperationException("The broker cancelled the consumer of queue 'msg' (was the queue deleted?)"));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => running.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("queue 'msg'", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Accepts everything; its consumer delivers nothing until <see cref="Break"/> ends it with an error.</summary>
    private sealed class BreakableTransport : ITransport
    {
        private readonly Channel<Delivery> _deliveries = Channel.CreateUnbounded<Delivery>();

        public TaskCompletionSource Consuming { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Break(Exception reason) => _deliveries.Writer.TryComplete(reason);

        public Task DeclareAsync(Topology topology, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task PublishAsync(string exchange, string routingKey, TransportMessage message, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<ITransportConsumer> ConsumeAsync(IReadOnlyList<string> queues, int prefetchCount, CancellationToken cancellationToken = default)
        {
            Consuming.TrySetResult();
            return Task.FromResult<ITransportConsumer>(new Consumer(_deliveries.Reader));
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private sealed class Consumer(ChannelReader<Delivery> deliveries) : ITransportConsumer
        {
            public ChannelReader<Delivery> Deliveries => deliveries;

            public Task SetPrefetchAsync(int prefetchCount, CancellationToken cancellationToken = default) => Task.CompletedTask;

            public Task StopDeliveriesAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
