using System.Reflection;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>A registered task: its name, options, and how to call it with a message's arguments.</summary>
internal sealed class TaskDefinition
{
    private readonly MethodInfo _method;
    private readonly Func<object?> _createTarget;
    private readonly ArgumentBinder _binder;

    public TaskDefinition(string name, MethodInfo method, Func<object?> createTarget, TaskSettings options)
    {
        Name = name;
        Settings = options;
        _method = method;
        _createTarget = createTarget;
        var dot = name.LastIndexOf('.');
        _binder = new ArgumentBinder(method, dot < 0 ? name : name[(dot + 1)..]);
    }

    public string Name { get; }

    public TaskSettings Settings { get; }

    /// <summary>Binds the arguments (a <c>TypeError</c> <see cref="PythonException"/> when they do not fit), runs the task and returns its JSON-like result.</summary>
    public async Task<object?> InvokeAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var arguments = _binder.Bind(context.Args, context.Kwargs, context, cancellationToken);
        var target = _createTarget();
        try
        {
            var returned = _method.Invoke(target, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null);
            var value = await Unwrap(returned).ConfigureAwait(false);
            return ValueConverter.ToJsonLike(value);
        }
        finally
        {
            switch (target)
            {
                case IAsyncDisposable asyncDisposable when !ReferenceEquals(target, _method):
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    private static async Task<object?> Unwrap(object? returned)
    {
        switch (returned)
        {
            case Task task:
                await task.ConfigureAwait(false);
                var type = task.GetType();
                return type.IsGenericType && type.GetProperty(nameof(Task<object>.Result)) is { } result
                    && result.PropertyType.Name != "VoidTaskResult"
                    ? result.GetValue(task)
                    : null;
            case ValueTask valueTask:
                await valueTask.ConfigureAwait(false);
                return null;
            case not null when returned.GetType() is { IsGenericType: true } valueTaskType
                && valueTaskType.GetGenericTypeDefinition() == typeof(ValueTask<>):
                var asTask = (Task)valueTaskType.GetMethod(nameof(ValueTask<object>.AsTask))!.Invoke(returned, null)!;
                return await Unwrap(asTask).ConfigureAwait(false);
            default:
                return returned;
        }
    }
}
