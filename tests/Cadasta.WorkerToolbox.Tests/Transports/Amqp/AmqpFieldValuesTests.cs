using System.Text;
using Cadasta.WorkerToolbox.Transports.Amqp;
using RabbitMQ.Client;

namespace Cadasta.WorkerToolbox.Tests.Transports.Amqp;

public class AmqpFieldValuesTests
{
    [Fact]
    public void Outgoing_values_become_the_types_RabbitMQ_Client_writes()
    {
        Assert.Null(AmqpFieldValues.ToAmqp(null, "h"));
        Assert.Equal("é", AmqpFieldValues.ToAmqp("é", "h"));
        Assert.Equal(true, AmqpFieldValues.ToAmqp(true, "h"));
        Assert.Equal(5L, AmqpFieldValues.ToAmqp(5, "h"));
        Assert.Equal(long.MaxValue, AmqpFieldValues.ToAmqp(long.MaxValue, "h"));
        Assert.Equal(1.5, AmqpFieldValues.ToAmqp(1.5f, "h"));
        Assert.Equal(0.1, AmqpFieldValues.ToAmqp(0.1, "h"));
    }

    [Fact]
    public void Nested_lists_and_tables_are_converted_deeply()
    {
        IReadOnlyDictionary<string, object?> value = new Dictionary<string, object?>
        {
            ["timelimit"] = new List<object?> { null, 240 },
            ["inner"] = new Dictionary<string, object?> { ["a"] = new List<object?> { "x", 1.5 } },
        };

        var table = Assert.IsType<Dictionary<string, object?>>(AmqpFieldValues.ToAmqp(value, "h"));

        Assert.Equal(new List<object?> { null, 240L }, table["timelimit"]);
        var inner = Assert.IsType<Dictionary<string, object?>>(table["inner"]);
        Assert.Equal(new List<object?> { "x", 1.5 }, inner["a"]);
    }

    [Fact]
    public void Values_that_are_not_json_like_are_refused_with_their_path()
    {
        var value = new Dictionary<string, object?> { ["when"] = new List<object?> { DateTime.UtcNow } };

        var error = Assert.Throws<ArgumentException>(() => AmqpFieldValues.ToAmqp(value, "headers"));

        Assert.Contains("headers.when[0]", error.Message, StringComparison.Ordinal);
        Assert.Contains("DateTime", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Incoming_strings_arrive_as_bytes_and_become_strings_again()
    {
        Assert.Equal("export.project", AmqpFieldValues.FromAmqp(Encoding.UTF8.GetBytes("export.project")));
        Assert.Equal("héllo", AmqpFieldValues.FromAmqp(Encoding.UTF8.GetBytes("héllo")));
    }

    [Theory]
    [InlineData((sbyte)-3, -3L)]
    [InlineData((byte)3, 3L)]
    [InlineData((short)-300, -300L)]
    [InlineData((ushort)300, 300L)]
    [InlineData(-70000, -70000L)]
    [InlineData(70000u, 70000L)]
    [InlineData(1L << 40, 1L << 40)]
    public void Incoming_integers_of_every_width_become_long(object value, long expected)
    {
        Assert.Equal(expected, AmqpFieldValues.FromAmqp(value));
    }

    [Fact]
    public void Incoming_other_scalars_map_to_json_like_values()
    {
        Assert.Null(AmqpFieldValues.FromAmqp(null));
        Assert.Equal(false, AmqpFieldValues.FromAmqp(false));
        Assert.Equal(2.5, AmqpFieldValues.FromAmqp(2.5f));
        Assert.Equal(1.25, AmqpFieldValues.FromAmqp(1.25m));
        Assert.Equal(1_700_000_000L, AmqpFieldValues.FromAmqp(new AmqpTimestamp(1_700_000_000)));
    }

    [Fact]
    public void Incoming_nested_tables_and_arrays_are_converted_deeply()
    {
        var table = new Dictionary<string, object?>
        {
            ["creator_id"] = Encoding.UTF8.GetBytes("user123"),
            ["list"] = new List<object?> { Encoding.UTF8.GetBytes("a"), 1, null, new Dictionary<string, object?> { ["b"] = true } },
        };

        var result = AmqpFieldValues.FromAmqpTable(table);

        Assert.Equal("user123", result["creator_id"]);
        var list = Assert.IsType<List<object?>>(result["list"]);
        Assert.Equal("a", list[0]);
        Assert.Equal(1L, list[1]);
        Assert.Null(list[2]);
        Assert.Equal(true, Assert.IsType<Dictionary<string, object?>>(list[3])["b"]);
    }

    [Fact]
    public void A_missing_table_is_empty()
    {
        Assert.Empty(AmqpFieldValues.FromAmqpTable(null));
    }
}
