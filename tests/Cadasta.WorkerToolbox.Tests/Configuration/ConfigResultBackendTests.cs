using static Cadasta.WorkerToolbox.Tests.Configuration.TestConfig;

namespace Cadasta.WorkerToolbox.Tests.Configuration;

/// <summary><c>result_backend</c> is rendered like Python's <c>str.format(config)</c>.</summary>
public sealed class ConfigResultBackendTests
{
    [Fact]
    public void The_default_is_rendered_from_the_result_db_variables()
    {
        Assert.Equal("db+postgresql://worker:cadasta@localhost:5432/cadasta", Build().ResultBackend);
    }

    [Fact]
    public void The_default_template_uses_result_db_values_from_the_environment()
    {
        var config = FromEnvironment(
            ("CELERY_RESULT_DB_USER", "u"),
            ("CELERY_RESULT_DB_PASS", "p"),
            ("CELERY_RESULT_DB_HOST", "db.example"),
            ("CELERY_RESULT_DB_PORT", "6543"),
            ("CELERY_RESULT_DB_NAME", "results"));

        Assert.Equal("db+postgresql://u:p@db.example:6543/results", config.ResultBackend);
    }

    [Fact]
    public void A_custom_template_may_name_any_setting_or_variable()
    {
        var config = Build(new() { ["result_backend"] = "{0.foo}:{0.BAR}/{0.task_default_exchange}/{0.RESULT_DB_PORT}", ["foo"] = "abc", ["BAR"] = "def" });

        Assert.Equal("abc:def/task_exchange/5432", config.ResultBackend);
    }

    [Fact]
    public void A_template_from_the_environment_is_rendered_the_same_way()
    {
        var config = FromEnvironment(
            ("CELERY_RESULT_BACKEND", "db+sqlite:///{0.RESULT_DB_NAME}-{0.QUEUE_PREFIX}.db"),
            ("CELERY_QUEUE_PREFIX", "prod"));

        Assert.Equal("db+sqlite:///cadasta-prod.db", config.ResultBackend);
    }

    [Fact]
    public void Placeholders_render_non_text_values_as_python_str_does()
    {
        var config = Build(new() { ["result_backend"] = "{0.RESULT_DB_PORT}|{0.task_track_started}|{0.QUEUES}|{0.broker_url}|{0.QUEUE_PREFIX!r}", ["RESULT_DB_PORT"] = 5433 });

        Assert.Equal("5433|True|('msg', 'export')|None|'dev'", config.ResultBackend);
    }

    [Fact]
    public void Doubled_braces_are_literal_braces()
    {
        Assert.Equal("x{y}", Build(new() { ["result_backend"] = "x{{y}}" }).ResultBackend);
    }

    [Fact]
    public void A_value_without_placeholders_is_kept()
    {
        Assert.Equal(":memory:", Build(new() { ["result_backend"] = ":memory:" }).ResultBackend);
    }

    [Fact]
    public void None_disables_the_backend()
    {
        Assert.Null(Build(new() { ["result_backend"] = null }).ResultBackend);
    }

    [Theory]
    [InlineData("{0.foo}:{}")]
    [InlineData("{0.missing}")]
    [InlineData("db+postgresql://{0.RESULT_DB_USER")]
    [InlineData("db}")]
    [InlineData("{1.RESULT_DB_USER}")]
    [InlineData("{0.RESULT_DB_USER:>10}")]
    public void A_template_that_cannot_be_rendered_is_the_originals_error(string template)
    {
        var error = Fails(new() { ["result_backend"] = template, ["foo"] = "abc" });

        Assert.Equal($"Unable to render 'result_backend' value: '{template}'", error.Message);
        Assert.Equal("result_backend", error.Name);
    }

    [Fact]
    public void The_render_error_masks_a_password_in_the_template()
    {
        var error = Fails(environment: new() { ["CELERY_RESULT_BACKEND"] = "db+postgresql://u:s3cret@{0.RESULT_DB_HOST" });

        Assert.Equal("Unable to render 'result_backend' value: 'db+postgresql://u:****@{0.RESULT_DB_HOST'", error.Message);
    }
}
