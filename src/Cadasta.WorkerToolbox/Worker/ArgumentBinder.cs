using System.Globalization;
using System.Reflection;
using System.Text;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// Binds Celery's <c>args</c> (by position) and <c>kwargs</c> (by name) to a method's
/// parameters with Python's rules and Python's error messages, so a Python caller sees the
/// same <c>TypeError</c> it would get from a Python task. A keyword finds a parameter by its
/// snake_case name (<c>org_slug</c> → <c>orgSlug</c>) or its exact C# name.
/// Special parameters take no argument: <see cref="TaskContext"/>, <see cref="CancellationToken"/>,
/// a <c>params</c> array (<c>*args</c>) and a <see cref="KwargsAttribute"/> dictionary (<c>**kwargs</c>).
/// </summary>
internal sealed class ArgumentBinder
{
    private readonly string _functionName;
    private readonly ParameterInfo[] _parameters;
    private readonly List<(int Index, string PythonName)> _named = [];
    private readonly Dictionary<string, int> _namedByKeyword = new(StringComparer.Ordinal);
    private readonly int _varArgsIndex = -1;
    private readonly int _varKwargsIndex = -1;

    public ArgumentBinder(MethodInfo method, string functionName)
    {
        ArgumentNullException.ThrowIfNull(method);
        _functionName = functionName;
        _parameters = method.GetParameters();
        for (var i = 0; i < _parameters.Length; i++)
        {
            var parameter = _parameters[i];
            if (parameter.ParameterType == typeof(TaskContext) || parameter.ParameterType == typeof(CancellationToken))
            {
                continue;
            }

            if (parameter.IsDefined(typeof(ParamArrayAttribute), false))
            {
                _varArgsIndex = i;
            }
            else if (parameter.IsDefined(typeof(KwargsAttribute), false))
            {
                if (!parameter.ParameterType.IsAssignableFrom(typeof(Dictionary<string, object?>)))
                {
                    throw new ArgumentException(
                        $"The [Kwargs] parameter '{parameter.Name}' of {functionName}() must accept a Dictionary<string, object?>.", nameof(method));
                }

                _varKwargsIndex = i;
            }
            else
            {
                var name = parameter.Name ?? $"arg{i}";
                var pythonName = ToSnakeCase(name);
                _named.Add((i, pythonName));
                _namedByKeyword[pythonName] = i;
                _namedByKeyword.TryAdd(name, i);
            }
        }
    }

    /// <summary>Python's snake_case for a C# identifier: <c>orgSlug</c> → <c>org_slug</c>, <c>HTTPCode</c> → <c>http_code</c>.</summary>
    public static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var previousIsLower = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
                var nextIsLower = i + 1 < name.Length && char.IsLower(name[i + 1]);
                var previousIsUpper = i > 0 && char.IsUpper(name[i - 1]);
                if (builder.Length > 0 && builder[^1] != '_' && (previousIsLower || (previousIsUpper && nextIsLower)))
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>The method's argument array, or a <see cref="PythonException"/> named <c>TypeError</c>.</summary>
    public object?[] Bind(IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?> kwargs, TaskContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(kwargs);
        var values = new object?[_parameters.Length];
        var assigned = new bool[_parameters.Length];

        var positional = Math.Min(args.Count, _named.Count);
        for (var p = 0; p < positional; p++)
        {
            values[_named[p].Index] = args[p];
            assigned[_named[p].Index] = true;
        }

        // Python checks keywords before counting positionals (CPython's argument parsing order).
        Dictionary<string, object?>? extraKwargs = _varKwargsIndex >= 0 ? new(StringComparer.Ordinal) : null;
        foreach (var (key, value) in kwargs)
        {
            if (_namedByKeyword.TryGetValue(key, out var index))
            {
                if (assigned[index])
                {
                    throw Error($"got multiple values for argument '{PythonName(index)}'");
                }

                values[index] = value;
                assigned[index] = true;
            }
            else if (extraKwargs is not null)
            {
                extraKwargs[key] = value;
            }
            else
            {
                throw Error($"got an unexpected keyword argument '{key}'");
            }
        }

        if (args.Count > _named.Count && _varArgsIndex < 0)
        {
            throw Error(TooManyPositional(args.Count));
        }

        var missing = _named.Where(n => !assigned[n.Index] && !_parameters[n.Index].HasDefaultValue).Select(n => n.PythonName).ToList();
        if (missing.Count > 0)
        {
            var noun = missing.Count == 1 ? "argument" : "arguments";
            throw Error($"missing {missing.Count} required positional {noun}: {JoinNames(missing)}");
        }

        for (var i = 0; i < _parameters.Length; i++)
        {
            var parameter = _parameters[i];
            if (parameter.ParameterType == typeof(TaskContext))
            {
                values[i] = context;
            }
            else if (parameter.ParameterType == typeof(CancellationToken))
            {
                values[i] = cancellationToken;
            }
            else if (i == _varArgsIndex)
            {
                values[i] = VarArgs(args, parameter);
            }
            else if (i == _varKwargsIndex)
            {
                values[i] = extraKwargs;
            }
            else if (!assigned[i])
            {
                values[i] = parameter.DefaultValue is DBNull ? null : parameter.DefaultValue;
            }
            else
            {
                values[i] = Convert(values[i], parameter.ParameterType, PythonName(i));
            }
        }

        return values;
    }

    private Array VarArgs(IReadOnlyList<object?> args, ParameterInfo parameter)
    {
        var elementType = parameter.ParameterType.GetElementType() ?? typeof(object);
        var extra = Math.Max(0, args.Count - _named.Count);
        var array = Array.CreateInstance(elementType, extra);
        for (var i = 0; i < extra; i++)
        {
            array.SetValue(Convert(args[_named.Count + i], elementType, parameter.Name ?? "args"), i);
        }

        return array;
    }

    private object? Convert(object? value, Type type, string pythonName)
    {
        try
        {
            return ValueConverter.ToClr(value, type);
        }
        catch (InvalidCastException e)
        {
            throw Error($"argument '{pythonName}' {e.Message}");
        }
    }

    private string TooManyPositional(int given)
    {
        var required = _named.Count(n => !_parameters[n.Index].HasDefaultValue);
        var takes = required == _named.Count
            ? string.Create(CultureInfo.InvariantCulture, $"{_named.Count} positional argument{(_named.Count == 1 ? string.Empty : "s")}")
            : string.Create(CultureInfo.InvariantCulture, $"from {required} to {_named.Count} positional arguments");
        var were = given == 1 ? "was" : "were";
        return string.Create(CultureInfo.InvariantCulture, $"takes {takes} but {given} {were} given");
    }

    private static string JoinNames(List<string> names)
    {
        var quoted = names.Select(n => $"'{n}'").ToList();
        return quoted.Count switch
        {
            1 => quoted[0],
            2 => $"{quoted[0]} and {quoted[1]}",
            _ => string.Join(", ", quoted.Take(quoted.Count - 1)) + ", and " + quoted[^1],
        };
    }

    private string PythonName(int parameterIndex) => _named.First(n => n.Index == parameterIndex).PythonName;

    private PythonException Error(string text) => CeleryErrors.TypeError($"{_functionName}() {text}");
}
