using System.Text.Json;
using Cadasta.WorkerToolbox.Configuration;
using static Cadasta.WorkerToolbox.Tests.Configuration.TestConfig;

namespace Cadasta.WorkerToolbox.Tests.Configuration;

/// <summary>The printable form (the original's repr), the dictionary views and the JSON rendering.</summary>
public sealed class ConfigPrintingTests
{
    private static readonly Dictionary<string, string> Secrets = new()
    {
        ["CELERY_BROKER_URL"] = "amqp://guest:guest-pw@127.0.0.1:5672//",
        ["CELERY_RESULT_DB_PASS"] = "db-pw",
        ["CELERY_SQS_URL"] = "sqs://AKIAKEY:aws/secret+key@",
        ["CELERY_BROKER_TRANSPORT_OPTIONS"] = "{'predefined_queues': {'q': {'access_key_id': 'AKIA', 'secret_access_key': 'aws-secret'}}}",
    };

    [Fact]
    public void The_printable_form_lists_the_lowercase_settings_sorted_as_pprint_does()
    {
        var repr = Build(new() { ["a"] = 1, ["b"] = 2, ["zz"] = 3 }).ToPythonRepr();

        // The original's own test: repr(Config(a=1, b=2, z=3)) starts "Config({'a': 1,\n 'b': 2,\n".
        Assert.StartsWith("Config({'a': 1,\n 'accept_content': ['json'],\n 'b': 2,\n", repr, StringComparison.Ordinal);
        Assert.EndsWith(" 'zz': 3})", repr, StringComparison.Ordinal);
        Assert.DoesNotContain("QUEUES", repr, StringComparison.Ordinal);
        Assert.Contains(
            " 'broker_transport_options': {'interval_start': 0,\n                              'max_retries': 1,\n",
            repr,
            StringComparison.Ordinal);
        Assert.Contains(" 'imports': ('app.tasks',),\n", repr, StringComparison.Ordinal);
        Assert.Contains(" 'task_track_started': True,\n", repr, StringComparison.Ordinal);
        Assert.Contains(" 'broker_url': None,\n", repr, StringComparison.Ordinal);
        Assert.Contains(" 'task_queues': {<unbound Queue celery -> <unbound Exchange task_exchange(topic)> -> celery>,\n", repr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_printable_form_can_add_the_uppercase_variables()
    {
        var repr = Build().ToPythonRepr(ConfigPrintOptions.IncludeVariables);

        Assert.StartsWith("Config({'CHORD_UNLOCK_MAX_RETRIES': 21600,\n 'DEAD_LETTER_QUEUE': '{queue}.dead',\n 'ENV_PREFIX': 'CELERY_',\n", repr, StringComparison.Ordinal);
        Assert.Contains(" 'QUEUES': ('msg', 'export'),\n", repr, StringComparison.Ordinal);
        Assert.Contains(" 'RESULT_DB_PASS': '****',\n", repr, StringComparison.Ordinal);
    }

    [Fact]
    public void Passwords_are_masked_in_the_printable_form_and_to_string()
    {
        var config = Build(environment: Secrets);

        foreach (var printed in new[] { config.ToPythonRepr(ConfigPrintOptions.IncludeVariables), config.ToString() })
        {
            Assert.Contains("'amqp://guest:****@127.0.0.1:5672//'", printed, StringComparison.Ordinal);
            Assert.Contains("'db+postgresql://worker:****@localhost:5432/cadasta'", printed, StringComparison.Ordinal);
            Assert.Contains("'sqs://AKIAKEY:****@'", printed, StringComparison.Ordinal);
            Assert.Contains("'secret_access_key': '****'", printed, StringComparison.Ordinal);
            Assert.DoesNotContain("guest-pw", printed, StringComparison.Ordinal);
            Assert.DoesNotContain("db-pw", printed, StringComparison.Ordinal);
            Assert.DoesNotContain("aws/secret", printed, StringComparison.Ordinal);
            Assert.DoesNotContain("aws-secret", printed, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Show_secrets_prints_passwords_as_they_are()
    {
        var printed = Build(environment: Secrets).ToPythonRepr(ConfigPrintOptions.IncludeVariables | ConfigPrintOptions.ShowSecrets);

        Assert.Contains("'amqp://guest:guest-pw@127.0.0.1:5672//'", printed, StringComparison.Ordinal);
        Assert.Contains("'db+postgresql://worker:db-pw@localhost:5432/cadasta'", printed, StringComparison.Ordinal);
        Assert.Contains("'RESULT_DB_PASS': 'db-pw'", printed, StringComparison.Ordinal);
        Assert.Contains("'secret_access_key': 'aws-secret'", printed, StringComparison.Ordinal);
    }

    [Fact]
    public void The_dictionary_views_split_settings_from_variables_and_keep_real_values()
    {
        var config = Build(environment: Secrets);

        Assert.All(config.Settings.Keys, key => Assert.Equal(key.ToLowerInvariant(), key));
        Assert.Equal(config.Settings.Keys.Order(StringComparer.Ordinal), config.Settings.Keys);
        Assert.Contains("QUEUES", config.Variables.Keys);
        Assert.DoesNotContain("QUEUES", config.Settings.Keys);
        Assert.Equal("db-pw", config.Variables["RESULT_DB_PASS"]);
        Assert.Equal("amqp://guest:guest-pw@127.0.0.1:5672//", config.Settings["broker_url"]);
    }

    [Fact]
    public void Json_holds_the_lowercase_settings_with_tuples_as_arrays_queues_as_objects_and_routes_as_text()
    {
        using var json = JsonDocument.Parse(Build().ToJson());
        var root = json.RootElement;

        Assert.False(root.TryGetProperty("QUEUES", out _));
        Assert.Equal("sqs", root.GetProperty("broker_transport").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("broker_url").ValueKind);
        Assert.True(root.GetProperty("task_track_started").GetBoolean());
        Assert.Equal("app.tasks", Assert.Single(root.GetProperty("imports").EnumerateArray()).GetString());
        Assert.Equal(20, root.GetProperty("broker_transport_options").GetProperty("wait_time_seconds").GetInt32());
        Assert.Equal("first segment of the task name, on exchange 'task_exchange'", root.GetProperty("task_routes").GetString());
        var platform = root.GetProperty("task_queues").EnumerateArray().Single(q => q.GetProperty("name").GetString() == "platform.fifo");
        Assert.Equal("task_exchange", platform.GetProperty("exchange").GetString());
        Assert.Equal("topic", platform.GetProperty("exchange_type").GetString());
        Assert.Equal("#", platform.GetProperty("routing_key").GetString());
        Assert.Contains("\"result_chord_retry_interval\": 1.0", Build().ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void Json_masks_passwords_unless_asked_and_can_add_the_variables()
    {
        var config = Build(environment: Secrets);
        using var masked = JsonDocument.Parse(config.ToJson(ConfigPrintOptions.IncludeVariables));
        using var shown = JsonDocument.Parse(config.ToJson(ConfigPrintOptions.IncludeVariables | ConfigPrintOptions.ShowSecrets));

        Assert.Equal("amqp://guest:****@127.0.0.1:5672//", masked.RootElement.GetProperty("broker_url").GetString());
        Assert.Equal("db+postgresql://worker:****@localhost:5432/cadasta", masked.RootElement.GetProperty("result_backend").GetString());
        Assert.Equal("****", masked.RootElement.GetProperty("RESULT_DB_PASS").GetString());
        Assert.Equal(["msg", "export"], masked.RootElement.GetProperty("QUEUES").EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain("pw", config.ToJson(ConfigPrintOptions.IncludeVariables), StringComparison.Ordinal);
        Assert.Equal("amqp://guest:guest-pw@127.0.0.1:5672//", shown.RootElement.GetProperty("broker_url").GetString());
        Assert.Equal("db-pw", shown.RootElement.GetProperty("RESULT_DB_PASS").GetString());
    }

    [Theory]
    [InlineData("amqp://guest:guest@localhost:5672//", "amqp://guest:****@localhost:5672//")]
    [InlineData("redis://:pw@host:6379/0", "redis://:****@host:6379/0")]
    [InlineData("sqs://KEY:SECRET@", "sqs://KEY:****@")]
    [InlineData("sqs://KEY@", "sqs://KEY@")]
    [InlineData("amqp://guest:@host//", "amqp://guest:@host//")]
    [InlineData("amqp://u:p@ss@host//", "amqp://u:****@host//")]
    [InlineData("a=amqp://u:x@h b=redis://v:y@k", "a=amqp://u:****@h b=redis://v:****@k")]
    [InlineData("no url here", "no url here")]
    public void Url_passwords_are_masked(string text, string expected)
    {
        Assert.Equal(expected, SecretMasker.MaskUrlPasswords(text));
    }
}
