using System.Text.RegularExpressions;
using Cadasta.WorkerToolbox.Python;
using Cadasta.WorkerToolbox.Routing;

namespace Cadasta.WorkerToolbox.Configuration;

/// <summary>
/// Hides secrets before a value is printed: the password of every URL inside a text
/// (<c>amqp://guest:****@host</c>, <c>sqs://KEY:****@</c>) and the whole value of settings or
/// dictionary keys whose name says it is a secret (<c>RESULT_DB_PASS</c>, <c>secret_access_key</c>).
/// </summary>
internal static partial class SecretMasker
{
    public const string Mask = "****";

    /// <summary>The text with the password of each URL replaced by <see cref="Mask"/>.</summary>
    public static string MaskUrlPasswords(string text) =>
        UrlPassword().Replace(text, match => match.Groups["password"].Length == 0
            ? match.Value
            : match.Groups["head"].Value + Mask + "@");

    /// <summary>
    /// Text that could not be read as a value (an invalid environment value) with URL passwords
    /// masked and also whatever follows a secret-looking key (<c>'password': 'x'</c>, <c>secret=x</c>).
    /// </summary>
    public static string MaskText(string text) =>
        SecretAssignment().Replace(MaskUrlPasswords(text), match => match.Groups["key"].Value + Mask);

    /// <summary>The value as it may be printed under <paramref name="name"/>; containers are copied, never changed.</summary>
    public static object? MaskValue(string? name, object? value)
    {
        if (name is not null && SettingCatalog.IsSecretName(name) && value is not (null or bool))
        {
            return Mask;
        }

        return value switch
        {
            string text => MaskUrlPasswords(text),
            IReadOnlyDictionary<string, object?> dictionary => dictionary.ToDictionary(
                pair => pair.Key, pair => MaskValue(pair.Key, pair.Value), StringComparer.Ordinal),
            PythonTuple tuple => new PythonTuple(tuple.Select(item => MaskValue(null, item))),
            PythonSet set => new PythonSet(set.Select(item => MaskValue(null, item))),
            IReadOnlyList<QueueDeclaration> or ITaskRouter => value,
            IReadOnlyList<object?> list => list.Select(item => MaskValue(null, item)).ToList(),
            _ => value,
        };
    }

    [GeneratedRegex(
        @"(?<key>['""]?[\w\-]*(?:pass|secret|token|credential)[\w\-]*['""]?\s*[:=]\s*)(?<value>'[^']*'?|""[^""]*""?|[^,;}\])\s]+)",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SecretAssignment();

    // A scheme, then user:password@ — the password runs to the last '@' before whitespace, so a
    // password with an unencoded '@' or '/' is masked whole (masking too much is the safe side).
    [GeneratedRegex(@"(?<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s]*:)(?<password>\S*)@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlPassword();
}
