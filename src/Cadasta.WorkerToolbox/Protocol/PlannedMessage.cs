using Cadasta.WorkerToolbox.Routing;
using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.Protocol;

/// <summary>One message to publish, in order, as <see cref="TaskPlanner"/> produced it.</summary>
/// <param name="Task">The task message (model).</param>
/// <param name="Message">The same, encoded for the broker.</param>
/// <param name="Route">
/// Where to publish: the router's route for the task name with any <c>exchange</c>/<c>routing_key</c>
/// option applied on top (options win, as in Celery); null when there is no router and no option.
/// </param>
/// <param name="Queue">The <c>queue</c> option, if any (Celery declares it; with a router's exchange and routing key it does not decide where the message goes).</param>
public sealed record PlannedMessage(TaskMessage Task, TransportMessage Message, TaskRoute? Route, string? Queue);
