using System.CommandLine;
using System.Text.Json;
using Cadasta.WorkerToolbox.Cli.Commands;

namespace Cadasta.WorkerToolbox.Tests.Configuration;

/// <summary><c>cadasta-worker config</c>, invoked in-process with a fake environment.</summary>
public sealed class ConfigCommandTests
{
    [Fact]
    public void Config_prints_the_printable_form_with_passwords_masked()
    {
        var (exit, output, error) = Run([], "config");

        Assert.Equal(0, exit);
        Assert.Empty(error);
        Assert.StartsWith("Config({'accept_content': ['json'],\n", output, StringComparison.Ordinal);
        Assert.Contains("'result_backend': 'db+postgresql://worker:****@localhost:5432/cadasta',", output, StringComparison.Ordinal);
        Assert.DoesNotContain("QUEUES", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_with_all_shows_the_queues_from_the_environment()
    {
        var (exit, output, _) = Run(new() { ["CELERY_QUEUES"] = "('msg','export','geo')" }, "config", "--json", "--all");

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(["msg", "export", "geo"], json.RootElement.GetProperty("QUEUES").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(5, json.RootElement.GetProperty("task_queues").GetArrayLength());
        Assert.Equal("****", json.RootElement.GetProperty("RESULT_DB_PASS").GetString());
    }

    [Fact]
    public void Json_without_all_holds_only_the_lowercase_settings()
    {
        var (_, output, _) = Run([], "config", "--json");

        using var json = JsonDocument.Parse(output);
        Assert.All(json.RootElement.EnumerateObject(), p => Assert.Equal(p.Name.ToLowerInvariant(), p.Name));
    }

    [Fact]
    public void Show_secrets_unmasks()
    {
        var environment = new Dictionary<string, string> { ["CELERY_BROKER_URL"] = "amqp://guest:pw1@localhost//" };

        var (_, masked, _) = Run(environment, "config", "--json");
        var (_, shown, _) = Run(environment, "config", "--json", "--all", "--show-secrets");

        Assert.Contains("amqp://guest:****@localhost//", masked, StringComparison.Ordinal);
        Assert.Contains("amqp://guest:pw1@localhost//", shown, StringComparison.Ordinal);
        Assert.Contains("\"RESULT_DB_PASS\": \"cadasta\"", shown, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_setting_prints_the_error_on_stderr_and_exits_2()
    {
        var (exit, output, error) = Run(new() { ["CELERY_QUEUES"] = "(oops" }, "config");

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.StartsWith("Invalid configuration: Environment variable CELERY_QUEUES has the value '(oops'", error, StringComparison.Ordinal);
        Assert.Contains("tuple of str", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal); // no stack trace
    }

    private static (int Exit, string Output, string Error) Run(Dictionary<string, string> environment, params string[] args)
    {
        var root = new RootCommand { ConfigCommand.Create(environment) };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }
}
