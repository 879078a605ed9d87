using System.Numerics;

namespace Cadasta.WorkerToolbox.Configuration;

/// <summary>
/// The type a setting's value must have, named as Python names it for error messages, and
/// whether its environment variable is read as a Python literal (every type but text, as the
/// original's rule "evaluate unless the default is a string").
/// </summary>
/// <param name="PythonName">How error messages name the type, for example <c>tuple of str</c>.</param>
/// <param name="ParseFromEnvironment">Whether the environment value is read as a Python literal.</param>
/// <param name="Accepts">Whether a value has this type.</param>
internal sealed record SettingType(string PythonName, bool ParseFromEnvironment, Func<object?, bool> Accepts)
{
    public static readonly SettingType Text = new("str", false, v => v is string);
    public static readonly SettingType OptionalText = new("str or None", false, v => v is null or string);
    public static readonly SettingType TextOrInt = new("str or int", false, v => v is string or long);
    // 0 and 1 too: the original handed literal_eval's int to Celery, which only tests truthiness.
    public static readonly SettingType Bool = new("bool", true, v => v is bool or 0L or 1L);
    public static readonly SettingType OptionalBool = new("bool or None", true, v => v is null or bool or 0L or 1L);
    public static readonly SettingType Int = new("int", true, IsInt32);
    public static readonly SettingType OptionalInt = new("int or None", true, v => v is null || IsInt32(v));
    public static readonly SettingType Float = new("float", true, IsReal);
    public static readonly SettingType OptionalFloat = new("float or None", true, v => v is null || IsReal(v));
    public static readonly SettingType Dict = new("dict", true, v => v is IReadOnlyDictionary<string, object?>);
    public static readonly SettingType OptionalDict = new("dict or None", true, v => v is null or IReadOnlyDictionary<string, object?>);
    public static readonly SettingType TextTuple = new("tuple of str", true, IsTextSequence);
    public static readonly SettingType TextList = new("list of str", true, IsTextSequence);
    public static readonly SettingType OptionalTextList = new("list of str or None", true, v => v is null || IsTextSequence(v));

    /// <summary>Celery's <c>task_default_delivery_mode</c>: 1, 2, <c>'transient'</c> or <c>'persistent'</c>; its environment value is text.</summary>
    public static readonly SettingType DeliveryMode = new(
        "1, 2, 'transient' or 'persistent'",
        false,
        v => v is 1L or 2L or "1" or "2" or "transient" or "persistent");

    /// <summary>Anything a Python literal can be.</summary>
    public static readonly SettingType Any = new("any literal", true, _ => true);

    private static bool IsInt32(object? value) => value is long l && l is >= int.MinValue and <= int.MaxValue;

    private static bool IsReal(object? value) => value is long or double or BigInteger;

    private static bool IsTextSequence(object? value) =>
        value is IReadOnlyList<object?> list and not IReadOnlyDictionary<string, object?> && list.All(item => item is string);
}
