using System.Globalization;
using System.Numerics;
using Cadasta.WorkerToolbox.Routing;

namespace Cadasta.WorkerToolbox.Conformance;

/// <summary>
/// The original toolbox's functional checks (<c>build_functional_tests</c>): the rules a worker's
/// configuration must follow to take part in the Cadasta system. A worker project runs them from
/// its own test suite with one call to <see cref="Verify"/>; <c>cadasta-worker check</c> prints
/// <see cref="Run"/>'s results.
/// </summary>
public static class ConformanceChecks
{
    /// <summary>The default queue every Cadasta worker shares.</summary>
    public const string ExpectedDefaultQueue = "celery";

    /// <summary>The queue the platform reads a copy of every task message from.</summary>
    public const string ExpectedPlatformQueue = "platform.fifo";

    /// <summary>The task Celery schedules to wait for a chord's header (its max retries must be an integer).</summary>
    public const string ChordUnlockTask = "celery.chord_unlock";

    /// <summary>Runs every check.</summary>
    /// <param name="subject">The settings to check.</param>
    /// <returns>One result per check, in a fixed order, passed or not.</returns>
    public static IReadOnlyList<ConformanceCheckResult> Run(ConformanceSubject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return
        [
            DefaultQueueName(subject),
            PlatformQueueName(subject),
            DefaultExchangeType(subject),
            DefaultExchangeRouting(subject),
            CeleryExchangeRouting(subject),
            CeleryTaskRouting(subject),
            MaxRetries(subject),
        ];
    }

    /// <summary>Runs every check and throws if any fails.</summary>
    /// <param name="subject">The settings to check.</param>
    /// <exception cref="ConformanceException">One or more checks failed; the message lists each one.</exception>
    public static void Verify(ConformanceSubject subject)
    {
        var failures = Run(subject).Where(r => !r.Passed).ToArray();
        if (failures.Length > 0)
        {
            throw new ConformanceException(failures);
        }
    }

    private static ConformanceCheckResult DefaultQueueName(ConformanceSubject subject) =>
        ExpectName("default_queue_name", "the default queue (task_default_queue)", ExpectedDefaultQueue, subject.DefaultQueue);

    private static ConformanceCheckResult PlatformQueueName(ConformanceSubject subject) =>
        ExpectName("platform_queue_name", "the platform queue (PLATFORM_QUEUE_NAME)", ExpectedPlatformQueue, subject.PlatformQueue);

    private static ConformanceCheckResult ExpectName(string check, string what, string expected, string found) =>
        string.Equals(expected, found, StringComparison.Ordinal)
            ? new(check, true, $"{what} is '{found}'")
            : new(check, false, $"expected {what} to be '{expected}', found '{found}'");

    private static ConformanceCheckResult DefaultExchangeType(ConformanceSubject subject)
    {
        const string check = "default_exchange_type";
        var exchange = subject.Topology.FindExchange(subject.DefaultExchange);
        var expectation = $"expected the default exchange '{subject.DefaultExchange}' (task_default_exchange) to be a topic exchange";
        return exchange switch
        {
            null => new(check, false, $"{expectation}, found no exchange of that name among the declared queues' exchanges"),
            { Type: ExchangeDeclaration.Topic } => new(check, true, $"the default exchange '{exchange.Name}' is a topic exchange"),
            _ => new(check, false, $"{expectation}, found a '{exchange.Type}' exchange"),
        };
    }

    private static ConformanceCheckResult DefaultExchangeRouting(ConformanceSubject subject)
    {
        const string check = "default_exchange_routing";
        if (subject.ServiceQueues.Count == 0)
        {
            return new(check, true, "no service queues (QUEUES is empty): nothing to route");
        }

        var problems = new List<string>();
        foreach (var queue in subject.ServiceQueues)
        {
            if (RoutingProblem(subject, subject.DefaultExchange, queue, queue) is { } problem)
            {
                problems.Add(problem);
            }
        }

        var names = string.Join(", ", subject.ServiceQueues.Select(q => $"'{q}'"));
        return problems.Count == 0
            ? new(check, true, $"on '{subject.DefaultExchange}', each service queue's own routing key ({names}) reaches that queue and '{subject.PlatformQueue}' only")
            : new(check, false, string.Join("; ", problems));
    }

    private static ConformanceCheckResult CeleryExchangeRouting(ConformanceSubject subject)
    {
        const string check = "celery_exchange_routing";
        return RoutingProblem(subject, subject.DefaultExchange, ExpectedDefaultQueue, ExpectedDefaultQueue) is { } problem
            ? new(check, false, problem)
            : new(check, true, $"on '{subject.DefaultExchange}', routing key 'celery' reaches 'celery' and '{subject.PlatformQueue}' only");
    }

    private static ConformanceCheckResult CeleryTaskRouting(ConformanceSubject subject)
    {
        const string check = "celery_task_routing";
        var route = subject.Routers.Select(r => r.Route(ChordUnlockTask)).FirstOrDefault(r => r is not null);
        if (route is not { } found)
        {
            return new(check, false, $"expected a task router (task_routes) to give '{ChordUnlockTask}' an exchange and a routing key, found none does (Celery would then publish it to the default queue only, never to '{subject.PlatformQueue}')");
        }

        return RoutingProblem(subject, found.Exchange, found.RoutingKey, ExpectedDefaultQueue) is { } problem
            ? new(check, false, $"'{ChordUnlockTask}' is routed to exchange '{found.Exchange}' with routing key '{found.RoutingKey}': {problem}")
            : new(check, true, $"'{ChordUnlockTask}' is routed to exchange '{found.Exchange}' with routing key '{found.RoutingKey}', reaching 'celery' and '{subject.PlatformQueue}' only");
    }

    private static ConformanceCheckResult MaxRetries(ConformanceSubject subject)
    {
        const string check = "max_retries";
        var value = subject.ChordUnlockMaxRetries;
        return IsInteger(value)
            ? new(check, true, $"'{ChordUnlockTask}' max retries is the integer {Convert.ToString(value, CultureInfo.InvariantCulture)}")
            : new(check, false, $"expected '{ChordUnlockTask}' max retries to be an integer, found {Describe(value)}");
    }

    /// <summary>Why a message to <paramref name="exchange"/> with <paramref name="routingKey"/> does not reach exactly <paramref name="ownQueue"/> and the platform queue; null when it does.</summary>
    private static string? RoutingProblem(ConformanceSubject subject, string exchange, string routingKey, string ownQueue)
    {
        string[] expected = [ownQueue, subject.PlatformQueue];
        IReadOnlyList<string> reached;
        try
        {
            reached = subject.Topology.QueuesFor(exchange, routingKey);
        }
        catch (ArgumentException exception)
        {
            return $"routing key '{routingKey}' on exchange '{exchange}' cannot be routed: {exception.Message}";
        }

        var exactlyExpected = reached.Count == 2
            && reached.Contains(ownQueue, StringComparer.Ordinal)
            && reached.Contains(subject.PlatformQueue, StringComparer.Ordinal);
        return exactlyExpected
            ? null
            : $"expected routing key '{routingKey}' on exchange '{exchange}' to reach exactly [{Quote(expected)}], found [{Quote(reached)}]";
    }

    private static string Quote(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));

    // Python's type(x) == int: any integer, but not a bool.
    private static bool IsInteger(object? value) =>
        value is sbyte or byte or short or ushort or int or uint or long or ulong or BigInteger;

    private static string Describe(object? value) => value switch
    {
        null => "null (no limit)",
        string text => $"the string '{text}'",
        _ => $"{value.GetType().Name} {Convert.ToString(value, CultureInfo.InvariantCulture)}",
    };
}
