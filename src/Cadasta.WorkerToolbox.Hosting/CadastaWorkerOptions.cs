using Cadasta.WorkerToolbox.Worker;

namespace Cadasta.WorkerToolbox.Hosting;

/// <summary>What <see cref="CadastaServiceCollectionExtensions.AddCadastaWorker"/> registers: the configuration, the tasks, and how the worker runs.</summary>
public sealed class CadastaWorkerOptions : CadastaOptions
{
    /// <summary>The tasks the worker runs; register them here.</summary>
    public TaskRegistry Tasks { get; } = new();

    /// <summary>Changes the <see cref="WorkerOptions"/> the configuration gives (queues, concurrency, grace period...); null keeps them.</summary>
    public Func<WorkerOptions, WorkerOptions>? ConfigureWorker { get; set; }
}
