using Cadasta.WorkerToolbox.Results;
using Npgsql;

namespace Cadasta.WorkerToolbox.Tests.Results;

public class ResultBackendUrlTests
{
    [Fact]
    public void Postgres_url_gives_host_port_database_and_unescaped_credentials()
    {
        var url = ResultBackendUrl.Parse("db+postgresql://wor%40ker:p%40ss%3Aw%2Frd%25@db.example:6543/cadasta");

        var builder = new NpgsqlConnectionStringBuilder(url.ConnectionString);
        Assert.Equal(ResultBackendKind.PostgreSql, url.Kind);
        Assert.Equal("db.example", builder.Host);
        Assert.Equal(6543, builder.Port);
        Assert.Equal("cadasta", builder.Database);
        Assert.Equal("wor@ker", builder.Username);
        Assert.Equal("p@ss:w/rd%", builder.Password);
    }

    [Fact]
    public void The_printable_form_hides_the_password()
    {
        var url = ResultBackendUrl.Parse("db+postgresql://worker:s3cret@127.0.0.1:5432/cadasta");

        Assert.Equal("db+postgresql://worker:***@127.0.0.1:5432/cadasta", url.Redacted);
        Assert.DoesNotContain("s3cret", url.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Psycopg2_driver_suffix_and_query_options_are_accepted()
    {
        var url = ResultBackendUrl.Parse("db+postgresql+psycopg2://worker:cadasta@localhost/cadasta?sslmode=require&connect_timeout=7&application_name=my+worker&options=-csearch_path%3Dresults");

        var builder = new NpgsqlConnectionStringBuilder(url.ConnectionString);
        Assert.Equal(SslMode.Require, builder.SslMode);
        Assert.Equal(7, builder.Timeout);
        Assert.Equal("my worker", builder.ApplicationName);
        Assert.Equal("-csearch_path=results", builder.Options);
        Assert.Equal(5432, builder.Port);
    }

    [Fact]
    public void Ipv6_hosts_are_accepted()
    {
        var builder = new NpgsqlConnectionStringBuilder(ResultBackendUrl.Parse("db+postgresql://u:p@[::1]:5433/d").ConnectionString);

        Assert.Equal("::1", builder.Host);
        Assert.Equal(5433, builder.Port);
    }

    [Theory]
    [InlineData("postgresql://u:p@h/d")]
    [InlineData("db+mysql://u:p@h/d")]
    [InlineData("db+postgresql://u:p@h/d?nosuchoption=1")]
    [InlineData("db+postgresql://u:p@h/d?sslmode=sometimes")]
    [InlineData("db+postgresql://u:p@h:99999/d")]
    [InlineData("db+sqlite://")]
    [InlineData("db+sqlite:///:memory:")]
    public void Unusable_urls_are_refused_with_a_clear_error(string text)
    {
        var error = Assert.Throws<FormatException>(() => ResultBackendUrl.Parse(text));

        Assert.DoesNotContain(":p@", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sqlite_three_slashes_is_relative_to_the_working_directory_and_four_is_absolute()
    {
        var relative = ResultBackendUrl.Parse("db+sqlite:///data/results.db", "/srv/worker");
        var absolute = ResultBackendUrl.Parse("db+sqlite:////var/lib/results.db", "/srv/worker");

        Assert.Equal(ResultBackendKind.Sqlite, relative.Kind);
        Assert.Equal("/srv/worker/data/results.db", new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(relative.ConnectionString).DataSource);
        Assert.Equal("/var/lib/results.db", new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(absolute.ConnectionString).DataSource);
    }
}
