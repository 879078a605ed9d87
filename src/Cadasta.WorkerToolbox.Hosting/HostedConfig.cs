using Cadasta.WorkerToolbox.Configuration;
using Microsoft.Extensions.Configuration;

namespace Cadasta.WorkerToolbox.Hosting;

/// <summary>
/// Builds a <see cref="Config"/> from code values, an <c>IConfiguration</c> section and the
/// environment. A section key is a setting name (<c>broker_url</c>, <c>QUEUES</c>); it is handed to
/// <see cref="Config"/> as the environment variable <c>&lt;prefix&gt;&lt;NAME&gt;</c> would be, so its
/// value is parsed the same way and it overrides that variable. <c>SENTRY_*</c> keys stand for the
/// unprefixed <c>SENTRY_*</c> variables, and <c>ENV_PREFIX</c> for <c>CELERY_ENV_PREFIX</c>.
/// </summary>
internal static class HostedConfig
{
    private const string DefaultPrefix = "CELERY_";
    private const string EnvPrefixVariable = "CELERY_ENV_PREFIX";

    public static Config Build(CadastaOptions options, IConfiguration? configuration)
    {
        var environment = options.Environment is null
            ? ReadProcessEnvironment()
            : new Dictionary<string, string>(options.Environment, StringComparer.Ordinal);
        var section = options.ConfigurationSection is { } name && configuration is not null
            ? configuration.GetSection(name).GetChildren().ToList()
            : [];
        var sectionPrefix = section.FirstOrDefault(c => c.Key.Equals("ENV_PREFIX", StringComparison.OrdinalIgnoreCase))?.Value;
        if (sectionPrefix is not null)
        {
            environment[EnvPrefixVariable] = sectionPrefix;
        }

        var prefix = options.Settings.TryGetValue("ENV_PREFIX", out var codePrefix) && codePrefix is string given
            ? given
            : environment.GetValueOrDefault(EnvPrefixVariable) ?? DefaultPrefix;
        foreach (var child in section)
        {
            if (child.Key.Equals("ENV_PREFIX", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (child.Value is null)
            {
                throw new ConfigurationException(
                    $"Configuration key '{child.Path}' has sub-keys; write a setting's value as text (a Python literal for lists and dictionaries).",
                    child.Key,
                    "IConfiguration");
            }

            var variable = child.Key.StartsWith("SENTRY_", StringComparison.OrdinalIgnoreCase)
                ? child.Key.ToUpperInvariant()
                : prefix + child.Key.ToUpperInvariant();
            environment[variable] = child.Value;
        }

        return new Config(new Dictionary<string, object?>(options.Settings, StringComparer.Ordinal), environment);
    }

    private static Dictionary<string, string> ReadProcessEnvironment()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            variables[(string)entry.Key] = (string?)entry.Value ?? string.Empty;
        }

        return variables;
    }
}
