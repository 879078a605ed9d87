using Cadasta.WorkerToolbox.Configuration;

namespace Cadasta.WorkerToolbox.Tests.Configuration;

/// <summary>Builds a Config from code values and a fake environment, never the process's.</summary>
internal static class TestConfig
{
    public static Config Build(Dictionary<string, object?>? code = null, Dictionary<string, string>? environment = null) =>
        new(code ?? [], environment ?? []);

    public static Config FromEnvironment(params (string Name, string Value)[] variables) =>
        Build(environment: variables.ToDictionary(v => v.Name, v => v.Value));

    public static ConfigurationException Fails(Dictionary<string, object?>? code = null, Dictionary<string, string>? environment = null) =>
        Assert.Throws<ConfigurationException>(() => Build(code, environment));
}
