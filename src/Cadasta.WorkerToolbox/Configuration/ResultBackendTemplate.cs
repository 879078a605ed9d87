using System.Text.RegularExpressions;
using System.Text;
using Cadasta.WorkerToolbox.Python;

namespace Cadasta.WorkerToolbox.Configuration;

/// <summary>
/// Renders a <c>result_backend</c> value the way the original does with Python's
/// <c>str.format(config)</c>: each <c>{0.NAME}</c> becomes the text (Python's <c>str()</c>) of the
/// setting or variable NAME, <c>{0.NAME!r}</c> its repr, and <c>{{</c> / <c>}}</c> are literal braces.
/// Every other field (<c>{}</c>, <c>{1}</c>, an unknown name, a format spec, an unmatched brace)
/// makes the template unrenderable.
/// </summary>
internal static partial class ResultBackendTemplate
{
    /// <summary>The rendered text, or null when the template cannot be rendered.</summary>
    public static string? TryRender(string template, IReadOnlyDictionary<string, object?> values)
    {
        var text = new StringBuilder(template.Length);
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '}')
            {
                if (i + 1 < template.Length && template[i + 1] == '}')
                {
                    text.Append('}');
                    i++;
                    continue;
                }

                return null;
            }

            if (c != '{')
            {
                text.Append(c);
                continue;
            }

            if (i + 1 < template.Length && template[i + 1] == '{')
            {
                text.Append('{');
                i++;
                continue;
            }

            var close = template.IndexOf('}', i + 1);
            if (close < 0)
            {
                return null;
            }

            var field = Field().Match(template[(i + 1)..close]);
            if (!field.Success || !values.TryGetValue(field.Groups["name"].Value, out var value))
            {
                return null;
            }

            text.Append(field.Groups["conversion"].Value is "r" or "a" ? PythonRepr.Repr(value) : PythonRepr.Str(value));
            i = close;
        }

        return text.ToString();
    }

    [GeneratedRegex(@"^0\.(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:!(?<conversion>[rsa]))?$", RegexOptions.CultureInvariant)]
    private static partial Regex Field();
}
