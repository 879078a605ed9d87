using System.Numerics;
using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Python;
using static Cadasta.WorkerToolbox.Tests.Configuration.TestConfig;

namespace Cadasta.WorkerToolbox.Tests.Configuration;

/// <summary>How environment values become settings: literals for typed settings, text for the rest.</summary>
public sealed class ConfigEnvironmentTests
{
    [Fact]
    public void Typed_values_are_read_as_python_literals()
    {
        var config = FromEnvironment(
            ("CELERY_TASK_ACKS_LATE", "True"),
            ("CELERY_TASK_TRACK_STARTED", "False"),
            ("CELERY_WORKER_CONCURRENCY", "3"),
            ("CELERY_TASK_TIME_LIMIT", "300.5"),
            ("CELERY_TASK_SOFT_TIME_LIMIT", "None"),
            ("CELERY_CHORD_UNLOCK_MAX_RETRIES", "60"),
            ("CELERY_ACCEPT_CONTENT", "['json', 'application/data']"),
            ("CELERY_BROKER_TRANSPORT_OPTIONS", "{'region': 'eu-west-1', 'wait_time_seconds': 5}"));

        Assert.True(config.TaskAcksLate);
        Assert.False(config.TaskTrackStarted);
        Assert.Equal(3, config.WorkerConcurrency);
        Assert.Equal(TimeSpan.FromSeconds(300.5), config.TaskTimeLimit);
        Assert.Null(config.TaskSoftTimeLimit);
        Assert.Equal(60, config.ChordUnlockMaxRetries);
        Assert.Equal(["json", "application/data"], config.AcceptContent);
        Assert.Equal("eu-west-1", config.BrokerTransportOptions["region"]);
        Assert.Equal(5L, config.BrokerTransportOptions["wait_time_seconds"]);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("0", false)]
    public void Booleans_accept_0_and_1_as_the_original_did(string value, bool expected)
    {
        // The original handed literal_eval's int to Celery, which only tests the value's truth.
        var config = FromEnvironment(("CELERY_TASK_ACKS_LATE", value));

        Assert.Equal(expected, config.TaskAcksLate);
    }

    [Fact]
    public void Nested_literals_keep_their_shape()
    {
        var config = FromEnvironment((
            "CELERY_BROKER_TRANSPORT_OPTIONS",
            "{'predefined_queues': ({'name': 'export', 'tags': ['a', ('b', 2)], 'big': 123456789012345678901234567890},), 'flag': None}"));

        var options = config.BrokerTransportOptions;
        var queues = Assert.IsAssignableFrom<IReadOnlyList<object?>>(options["predefined_queues"]);
        var first = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(Assert.Single(queues));
        var tags = Assert.IsAssignableFrom<IReadOnlyList<object?>>(first["tags"]);
        Assert.Equal("a", tags[0]);
        Assert.Equal(new object?[] { "b", 2L }, Assert.IsAssignableFrom<IReadOnlyList<object?>>(tags[1]));
        Assert.Equal(BigInteger.Parse("123456789012345678901234567890", System.Globalization.CultureInfo.InvariantCulture), first["big"]);
        Assert.Null(options["flag"]);
        Assert.Contains("'predefined_queues': ({'big': 123456789012345678901234567890,", config.ToPythonRepr(), StringComparison.Ordinal);
    }

    [Fact]
    public void Text_settings_are_taken_as_they_are()
    {
        var config = FromEnvironment(
            ("CELERY_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//"),
            ("CELERY_TIMEZONE", "Europe/Paris"),
            ("CELERY_RESULT_DB_PORT", "6543"),
            ("CELERY_TASK_DEFAULT_QUEUE", "True"));

        Assert.Equal("amqp://guest:guest@127.0.0.1:5672//", config.BrokerUrl);
        Assert.Equal("Europe/Paris", config.Timezone);
        Assert.Equal("6543", config["RESULT_DB_PORT"]);
        Assert.Equal("True", config.DefaultQueue);
    }

    [Fact]
    public void A_value_that_is_not_a_literal_names_the_variable_the_value_and_the_type()
    {
        var error = Fails(environment: new() { ["CELERY_QUEUES"] = "(oops" });

        Assert.Equal("CELERY_QUEUES", error.Name);
        Assert.Equal("tuple of str", error.ExpectedType);
        Assert.StartsWith(
            "Environment variable CELERY_QUEUES has the value '(oops', which is not a Python literal of the expected type tuple of str: ",
            error.Message,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CELERY_TASK_ACKS_LATE", "", "bool")]
    [InlineData("CELERY_TASK_ACKS_LATE", "yes", "bool")]
    [InlineData("CELERY_WORKER_CONCURRENCY", "four", "int or None")]
    [InlineData("CELERY_BROKER_TRANSPORT_OPTIONS", "{'region': 'x'", "dict")]
    [InlineData("CELERY_CHORD_UNLOCK_MAX_RETRIES", "1.5.1", "int")]
    public void Unparsable_values_are_errors(string variable, string value, string expectedType)
    {
        var error = Fails(environment: new() { [variable] = value });

        Assert.Equal(variable, error.Name);
        Assert.Equal(expectedType, error.ExpectedType);
        Assert.Contains($"Environment variable {variable} has the value {PythonRepr.Repr(value)}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"expected type {expectedType}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CELERY_QUEUES", "'geo'", "str", "tuple of str")]
    [InlineData("CELERY_QUEUES", "('geo', 1)", "tuple", "tuple of str")]
    [InlineData("CELERY_TASK_ACKS_LATE", "2", "int", "bool")]
    [InlineData("CELERY_WORKER_CONCURRENCY", "'4'", "str", "int or None")]
    [InlineData("CELERY_WORKER_PREFETCH_MULTIPLIER", "99999999999", "int", "int")]
    [InlineData("CELERY_BROKER_TRANSPORT_OPTIONS", "['region']", "list", "dict")]
    [InlineData("CELERY_TASK_DEFAULT_DELIVERY_MODE", "3", "str", "1, 2, 'transient' or 'persistent'")]
    public void Literals_of_the_wrong_type_are_errors(string variable, string value, string actualType, string expectedType)
    {
        var error = Fails(environment: new() { [variable] = value });

        Assert.Equal(
            $"Environment variable {variable} has the value {PythonRepr.Repr(value)}, a {actualType}, but the expected type is {expectedType}.",
            error.Message);
    }

    [Fact]
    public void A_wrongly_typed_value_given_in_code_is_an_error_too()
    {
        var error = Fails(new() { ["task_acks_late"] = "yes" });

        Assert.Equal("Setting 'task_acks_late' given in code has the value 'yes', a str, but the expected type is bool.", error.Message);
    }

    [Fact]
    public void Error_messages_never_show_a_password()
    {
        var error = Fails(environment: new() { ["CELERY_BROKER_TRANSPORT_OPTIONS"] = "{'url': 'amqp://u:hunter2@h/'" });

        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
        Assert.Contains("amqp://u:****@h/", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{'password': hunter2}")]
    [InlineData("{'secret_access_key': 'hunter2'")]
    [InlineData("{\"broker_password\": \"hunter2\", 'x': [1, 2}")]
    [InlineData("['token=hunter2', 1")]
    public void Unparsable_values_with_secrets_are_masked_in_the_error(string value)
    {
        var error = Fails(environment: new() { ["CELERY_BROKER_TRANSPORT_OPTIONS"] = value });

        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
        Assert.Contains("****", error.Message, StringComparison.Ordinal);
        Assert.Contains("CELERY_BROKER_TRANSPORT_OPTIONS", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_variable_never_shows_its_value()
    {
        var error = Fails(new() { ["RESULT_DB_PASS"] = new[] { "hunter2" } });

        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_prefixed_variables_become_text_settings()
    {
        var config = FromEnvironment(("CELERY_FOO", "9876"), ("CELERY_TASK_DEFAULT_RATE_LIMIT", "10/m"), ("OTHER_BAR", "x"));

        Assert.Equal("9876", config["foo"]);
        Assert.Equal("10/m", config["task_default_rate_limit"]);
        Assert.False(config.TryGet("bar", out _));
        Assert.False(config.TryGet("other_bar", out _));
    }

    [Fact]
    public void An_uppercase_value_in_code_hides_the_prefixed_variable()
    {
        var config = Build(new() { ["FOO"] = "1234" }, new() { ["CELERY_FOO"] = "9876" });

        Assert.False(config.TryGet("foo", out _));
        Assert.Equal("1234", config["FOO"]);
    }

    [Fact]
    public void A_lowercase_value_in_code_wins_over_the_prefixed_variable()
    {
        var config = Build(new() { ["foo"] = 1234 }, new() { ["CELERY_FOO"] = "9876" });

        Assert.Equal(1234L, config["foo"]);
    }

    [Fact]
    public void Celerys_own_log_variables_are_ignored()
    {
        var config = FromEnvironment(("CELERY_LOG_LEVEL", "INFO"), ("CELERY_LOG_FILE", "/tmp/x.log"));

        Assert.False(config.TryGet("log_level", out _));
        Assert.False(config.TryGet("log_file", out _));
    }

    [Fact]
    public void Task_queues_and_routes_never_come_from_the_environment()
    {
        var config = FromEnvironment(("CELERY_TASK_QUEUES", "('x',)"), ("CELERY_TASK_ROUTES", "{'a': 'b'}"));

        Assert.Equal(4, config.TaskQueues.Count);
        Assert.IsType<Cadasta.WorkerToolbox.Routing.FirstSegmentRouter>(Assert.Single(config.TaskRouters));
    }

    [Fact]
    public void The_indexer_names_a_missing_setting()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => Build()["no_such_setting"]);

        Assert.Contains("no_such_setting", error.Message, StringComparison.Ordinal);
    }
}
