// The benchmark tool behind bench/run (see docs/benchmarks.md). Modes:
//   ceiling --url AMQP_URL --n N [--window 256] [--body 400]     raw RabbitMQ ceiling, one JSON line on stdout
//   load --n N [--rate R] [--pid PID] [--db CONNSTR] [--warmup W] [--label L]
//        sends N msg.noop (producer configured by CELERY_* like the worker), waits for every SUCCESS commit
//        (LISTEN/NOTIFY from a trigger on celery_taskmeta) and measures the worker process tree; one JSON line
//   monitor --n N [--db CONNSTR]                                  the task monitor's ingest rate: N tasks queued on
//        platform.fifo first, then a TaskMonitor in this process records them; one JSON line
//   alloc [--n N]                                                 bytes allocated per task on the hot path, per stage
//        (no broker, no database); one JSON line per stage
//   worker                                                        samples/DemoWorker's code, plus the SQS call
//        counters written to $BENCH_COUNTERS_FILE when it stops
using Cadasta.WorkerToolbox.Bench;

var options = BenchOptions.Parse(args.Skip(1));
return args.FirstOrDefault() switch
{
    "ceiling" => await BrokerCeiling.RunAsync(options),
    "load" => await LoadRun.RunAsync(options),
    "monitor" => await MonitorIngest.RunAsync(options),
    "alloc" => await AllocationProfile.RunAsync(options),
    "worker" => await BenchWorker.RunAsync(),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Cadasta.WorkerToolbox.Bench ceiling|load|monitor|alloc|worker [--key value]...");
    return 2;
}
