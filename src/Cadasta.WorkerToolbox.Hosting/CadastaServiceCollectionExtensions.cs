using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Producing;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.Transports;
using Cadasta.WorkerToolbox.Transports.Memory;
using Cadasta.WorkerToolbox.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cadasta.WorkerToolbox.Hosting;

/// <summary>Registers Cadasta workers and producers on the .NET Generic Host.</summary>
public static class CadastaServiceCollectionExtensions
{
    /// <summary>The tag of every health check the toolbox registers.</summary>
    public const string HealthCheckTag = "cadasta";

    /// <summary>The name of the health check that the broker answers.</summary>
    public const string BrokerCheckName = "cadasta-broker";

    /// <summary>The name of the health check that the result store answers.</summary>
    public const string ResultStoreCheckName = "cadasta-results";

    /// <summary>The name of the health check that the worker consumes its queues.</summary>
    public const string ConsumingCheckName = "cadasta-consuming";

    /// <summary>
    /// Registers a producer: the <see cref="Config"/>, the broker connection (<see cref="ITransport"/>),
    /// the <see cref="TaskProducer"/>, the result store (<see cref="IResultStore"/>, when a result
    /// backend is configured), the broker and result-store health checks, the toolbox's file
    /// logging when <c>SETUP_FILE_LOGGING</c> is on, and every ERROR log line to Sentry when
    /// <c>SETUP_SENTRY_LOGGING</c> is on.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets values in code and where the configuration is read from.</param>
    public static IServiceCollection AddCadastaProducer(this IServiceCollection services, Action<CadastaOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new CadastaOptions();
        configure?.Invoke(options);
        AddCore(services, options);
        return services;
    }

    /// <summary>
    /// Registers a worker as a hosted service, with all that <see cref="AddCadastaProducer"/> registers:
    /// it declares the topology and starts consuming when the host starts, and stops gracefully
    /// (running tasks get <see cref="WorkerOptions.ShutdownGracePeriod"/>) when the host stops.
    /// Adds the consuming health check, and reports failed tasks to Sentry when <c>SETUP_SENTRY_LOGGING</c> is on.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Registers the tasks, sets values in code, changes the worker options.</param>
    public static IServiceCollection AddCadastaWorker(this IServiceCollection services, Action<CadastaWorkerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new CadastaWorkerOptions();
        configure?.Invoke(options);
        AddCore(services, options);
        services.TryAddSingleton(options.Tasks);
        services.TryAddSingleton(provider =>
        {
            var workerOptions = WorkerOptions.FromConfig(provider.GetRequiredService<Config>());
            return options.ConfigureWorker is null ? workerOptions : options.ConfigureWorker(workerOptions);
        });
        services.TryAddSingleton(provider => new TaskWorker(
            provider.GetRequiredService<TaskRegistry>(),
            provider.GetRequiredService<ITransport>(),
            provider.GetRequiredService<IResultStore>(),
            provider.GetRequiredService<TaskProducer>(),
            provider.GetRequiredService<WorkerOptions>(),
            timeProvider: provider.GetRequiredService<TimeProvider>(),
            logger: provider.GetRequiredService<ILogger<TaskWorker>>()));
        services.TryAddSingleton<WorkerState>();

        // Before the worker's service: it subscribes to failures before the first task can run.
        services.AddHostedService<SentryTaskReporter>();
        services.AddHostedService<WorkerHostedService>();
        services.AddOptions<HostOptions>().PostConfigure<WorkerOptions>((host, worker) =>
        {
            // The host must wait for the grace period, or it abandons tasks the worker would let finish.
            var needed = worker.ShutdownGracePeriod + TimeSpan.FromSeconds(5);
            if (host.ShutdownTimeout < needed)
            {
                host.ShutdownTimeout = needed;
            }
        });
        services.AddHealthChecks().AddCheck<ConsumingHealthCheck>(ConsumingCheckName, HealthStatus.Unhealthy, [HealthCheckTag]);
        return services;
    }

    private static void AddCore(IServiceCollection services, CadastaOptions options)
    {
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => HostedConfig.Build(options, provider.GetService<IConfiguration>()));
        services.TryAddSingleton(provider => new MemoryBroker(provider.GetRequiredService<ILogger<MemoryBroker>>()));
        services.TryAddSingleton(provider => TransportFactory.Create(
            provider.GetRequiredService<Config>(),
            provider.GetRequiredService<MemoryBroker>(),
            provider.GetRequiredService<ILoggerFactory>(),
            provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IResultStore>(provider => new DatabaseResultStore(
            new ResultStoreOptions
            {
                BackendUrl = provider.GetRequiredService<Config>().ResultBackend
                    ?? throw new ConfigurationException("No result backend is configured (result_backend, CELERY_RESULT_BACKEND)."),
            },
            provider.GetRequiredService<ILogger<DatabaseResultStore>>(),
            provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(provider => new TaskProducer(
            provider.GetRequiredService<Config>(),
            provider.GetRequiredService<ITransport>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<TaskProducer>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, ToolboxFileLoggerProvider>(
            provider => ToolboxFileLoggerProvider.FromConfig(provider.GetRequiredService<Config>(), options.LogDirectory, provider.GetRequiredService<TimeProvider>())));
        services.TryAddSingleton(provider => new SentryReporting(provider.GetRequiredService<Config>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, SentryLoggerProvider>(
            provider => new SentryLoggerProvider(provider.GetRequiredService<SentryReporting>())));
        if (!services.Any(d => d.ServiceType == typeof(BrokerHealthCheck)))
        {
            services.AddSingleton(provider => new BrokerHealthCheck(
                provider.GetRequiredService<ITransport>(), provider.GetRequiredService<TaskProducer>(), provider.GetRequiredService<Config>(), options.HealthCheckTimeout));
            services.AddSingleton(provider => new ResultStoreHealthCheck(provider, provider.GetRequiredService<Config>(), options.HealthCheckTimeout));
            services.AddHealthChecks()
                .AddCheck<BrokerHealthCheck>(BrokerCheckName, HealthStatus.Unhealthy, [HealthCheckTag])
                .AddCheck<ResultStoreHealthCheck>(ResultStoreCheckName, HealthStatus.Unhealthy, [HealthCheckTag]);
        }
    }
}
