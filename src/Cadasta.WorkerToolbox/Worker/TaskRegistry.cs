using System.Reflection;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// The tasks a worker runs, by name. A task is a delegate or a class with one public
/// <c>Run</c> or <c>RunAsync</c> method; its parameters bind from the message's <c>args</c>
/// (by position) and <c>kwargs</c> (by snake_case name). It may return a value, a
/// <see cref="Task"/>/<see cref="Task{TResult}"/> or a <see cref="ValueTask"/>/<see cref="ValueTask{TResult}"/>.
/// </summary>
public sealed class TaskRegistry
{
    private readonly Dictionary<string, TaskDefinition> _tasks = new(StringComparer.Ordinal);

    /// <summary>The registered task names.</summary>
    public IReadOnlyCollection<string> Names => _tasks.Keys;

    /// <summary>Registers a delegate as the task <paramref name="name"/>.</summary>
    /// <param name="name">The Celery task name, for example <c>msg.add</c>.</param>
    /// <param name="function">The task body (a lambda or method group).</param>
    /// <param name="settings">The task's settings; <see cref="TaskSettings.Default"/> when null.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">The name is taken, or a parameter cannot be bound.</exception>
    public TaskRegistry Register(string name, Delegate function, TaskSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        var target = function.Target;
        return Add(new TaskDefinition(CheckName(name), function.Method, () => target, settings ?? TaskSettings.Default));
    }

    /// <summary>
    /// Registers a class as the task <paramref name="name"/>: a new instance (disposed after
    /// use when disposable) runs its single public <c>Run</c> or <c>RunAsync</c> method per message.
    /// </summary>
    /// <typeparam name="TTask">The task class.</typeparam>
    /// <param name="name">The Celery task name.</param>
    /// <param name="create">Creates an instance; the parameterless constructor when null.</param>
    /// <param name="settings">The task's settings; <see cref="TaskSettings.Default"/> when null.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">The name is taken, or the class has no single Run/RunAsync method.</exception>
    public TaskRegistry RegisterClass<TTask>(string name, Func<TTask>? create = null, TaskSettings? settings = null)
        where TTask : class
    {
        var runs = typeof(TTask).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.Name is "Run" or "RunAsync")
            .ToList();
        if (runs.Count != 1)
        {
            throw new ArgumentException(
                $"Task class {typeof(TTask).Name} must have exactly one public Run or RunAsync method; it has {runs.Count}.", nameof(name));
        }

        Func<object?> factory = create is null ? () => Activator.CreateInstance<TTask>() : () => create();
        return Add(new TaskDefinition(CheckName(name), runs[0], factory, settings ?? TaskSettings.Default));
    }

    /// <summary>Whether a task of that name is registered.</summary>
    /// <param name="name">The task name.</param>
    public bool Contains(string name) => _tasks.ContainsKey(name);

    internal TaskDefinition? Find(string name) => _tasks.GetValueOrDefault(name);

    internal TaskRegistry Add(TaskDefinition definition)
    {
        if (!_tasks.TryAdd(definition.Name, definition))
        {
            throw new ArgumentException($"A task named '{definition.Name}' is already registered.", nameof(definition));
        }

        return this;
    }

    private static string CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return name;
    }
}
