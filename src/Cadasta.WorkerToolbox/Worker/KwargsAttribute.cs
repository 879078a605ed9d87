namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// Marks the parameter that receives every keyword argument no other parameter takes, as
/// Python's <c>**kwargs</c>. Its type must be <c>IReadOnlyDictionary&lt;string, object?&gt;</c>,
/// <c>IDictionary&lt;string, object?&gt;</c> or <c>Dictionary&lt;string, object?&gt;</c>.
/// Python's <c>*args</c> is a <c>params object?[]</c> parameter.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = true)]
public sealed class KwargsAttribute : Attribute;
