using Cadasta.WorkerToolbox.Transports.Amqp;

namespace Cadasta.WorkerToolbox.Tests.Transports.Amqp;

public class AmqpBrokerAddressTests
{
    [Theory]
    [InlineData("amqp://guest:guest@127.0.0.1:5672//", "127.0.0.1", 5672, "/", "guest", "guest")]
    [InlineData("amqp://user:secret@rabbit.example.com:5673/cadasta", "rabbit.example.com", 5673, "cadasta", "user", "secret")]
    [InlineData("amqp://user:secret@host/%2F", "host", 5672, "/", "user", "secret")]
    [InlineData("amqp://user:secret@host/%2Fprod", "host", 5672, "/prod", "user", "secret")]
    [InlineData("amqp://user:secret@host/", "host", 5672, "/", "user", "secret")]
    [InlineData("amqp://user:secret@host", "host", 5672, "/", "user", "secret")]
    [InlineData("amqp://", "localhost", 5672, "/", "guest", "guest")]
    [InlineData("amqp://localhost", "localhost", 5672, "/", "guest", "guest")]
    [InlineData("amqp://bob@host", "host", 5672, "/", "bob", "guest")]
    [InlineData("amqp://:pw@host", "host", 5672, "/", "guest", "pw")]
    [InlineData("amqp://us%40er:p%40ss%3Aword@host:1234/v%2Fh", "host", 1234, "v/h", "us@er", "p@ss:word")]
    [InlineData("amqp://u:p@ss@host", "host", 5672, "/", "u", "p@ss")]
    [InlineData("amqp://u:p@HOST.Example.COM", "host.example.com", 5672, "/", "u", "p")]
    [InlineData("amqp://u:p@[::1]:5679/v", "::1", 5679, "v", "u", "p")]
    [InlineData("amqp://u:p@host:5672/vhost?heartbeat=30#frag", "host", 5672, "vhost", "u", "p")]
    [InlineData("AMQP://u:p@host", "host", 5672, "/", "u", "p")]
    [InlineData("amqp://u:p%C3%A9@host/%C3%A9t%C3%A9", "host", 5672, "été", "u", "pé")]
    public void Parses_urls_as_kombu_does(string url, string host, int port, string vhost, string user, string password)
    {
        var address = AmqpBrokerAddress.Parse(url);

        Assert.Equal(host, address.Host);
        Assert.Equal(port, address.Port);
        Assert.Equal(vhost, address.VirtualHost);
        Assert.Equal(user, address.UserName);
        Assert.Equal(password, address.Password);
        Assert.False(address.UseTls);
    }

    [Fact]
    public void Amqps_uses_tls_on_5671_with_the_host_as_server_name()
    {
        var address = AmqpBrokerAddress.Parse("amqps://u:p@broker.example.com/v");

        Assert.True(address.UseTls);
        Assert.Equal(5671, address.Port);
        var factory = address.ToConnectionFactory(new AmqpTransportSettings());
        Assert.True(factory.Ssl.Enabled);
        Assert.Equal("broker.example.com", factory.Ssl.ServerName);
        Assert.Equal(5671, factory.Port);
    }

    [Fact]
    public void Amqps_keeps_an_explicit_port()
    {
        Assert.Equal(5999, AmqpBrokerAddress.Parse("amqps://u:p@h:5999//").Port);
    }

    [Fact]
    public void Pyamqp_is_an_alias_of_amqp()
    {
        var address = AmqpBrokerAddress.Parse("pyamqp://u:p@h:5672//");

        Assert.Equal("pyamqp", address.Scheme);
        Assert.False(address.UseTls);
        Assert.Equal("/", address.VirtualHost);
        Assert.True(AmqpTransportFactory.CanCreate("pyamqp://h"));
    }

    [Fact]
    public void Connection_factory_carries_the_parsed_parts_and_recovery()
    {
        var settings = new AmqpTransportSettings { NetworkRecoveryInterval = TimeSpan.FromSeconds(3) };
        var factory = AmqpBrokerAddress.Parse("amqp://u:p@h:1234/v").ToConnectionFactory(settings);

        Assert.Equal("h", factory.HostName);
        Assert.Equal(1234, factory.Port);
        Assert.Equal("v", factory.VirtualHost);
        Assert.Equal("u", factory.UserName);
        Assert.Equal("p", factory.Password);
        Assert.False(factory.Ssl.Enabled);
        Assert.True(factory.AutomaticRecoveryEnabled);
        Assert.True(factory.TopologyRecoveryEnabled);
        Assert.Equal(TimeSpan.FromSeconds(3), factory.NetworkRecoveryInterval);
    }

    [Theory]
    [InlineData("sqs://key:secret@")]
    [InlineData("memory://")]
    [InlineData("redis://:secret@host")]
    [InlineData("not a url")]
    public void Other_schemes_are_not_served(string url)
    {
        Assert.False(AmqpTransportFactory.CanCreate(url));
        Assert.Throws<FormatException>(() => AmqpBrokerAddress.Parse(url));
    }

    [Theory]
    [InlineData("amqp://user:s3cr3t@host:notaport/v")]
    [InlineData("amqp://user:s3cr3t@host:99999/v")]
    [InlineData("redis://user:s3cr3t@host")]
    [InlineData("amqp://user:s3cr3t@h1;amqp://user:s3cr3t@h2")]
    [InlineData("amqp://user:s3cr3t@[::1/v")]
    public void Errors_never_show_the_password(string url)
    {
        var error = Assert.Throws<FormatException>(() => AmqpBrokerAddress.Parse(url));

        Assert.DoesNotContain("s3cr3t", error.Message, StringComparison.Ordinal);
        Assert.Contains("user", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Printed_form_has_no_password()
    {
        var address = AmqpBrokerAddress.Parse("amqp://user:s3cr3t@host:5672//");

        Assert.Equal("amqp://user@host:5672/%2F", address.ToString());
        Assert.DoesNotContain("s3cr3t", address.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("amqp://user:s3cr3t@host//", "amqp://user:****@host//")]
    [InlineData("amqp://user@host//", "amqp://user@host//")]
    [InlineData("amqp://host//", "amqp://host//")]
    [InlineData("amqp://u:p@ss@host", "amqp://u:****@host")]
    [InlineData("amqp://a:x@h1;amqp://b:y@h2", "amqp://a:****@h1;amqp://b:****@h2")]
    public void Mask_hides_only_the_password(string url, string expected)
    {
        Assert.Equal(expected, AmqpBrokerAddress.Mask(url));
    }
}
