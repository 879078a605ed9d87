using System.Numerics;
using Cadasta.WorkerToolbox.Protocol;

namespace Cadasta.WorkerToolbox.Tests.Protocol;

/// <summary>Expected texts are what kombu 5.2.4's <c>dumps</c> printed on Python 3.11 for the same values.</summary>
public sealed class CeleryJsonTests
{
    [Theory]
    [InlineData(1e16, "1e+16")]
    [InlineData(0.1, "0.1")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(1e-07, "1e-07")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(123456789012345678.0, "1.2345678901234568e+17")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    [InlineData(1.0, "1.0")]
    [InlineData(100.0, "100.0")]
    [InlineData(1e22, "1e+22")]
    [InlineData(1.5, "1.5")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    public void Floats_are_written_as_Python_repr(double value, string expected) =>
        Assert.Equal(expected, CeleryJson.Serialize(value));

    [Fact]
    public void Big_integers_are_written_in_full()
    {
        Assert.Equal("9223372036854775807", CeleryJson.Serialize(long.MaxValue));
        Assert.Equal("18446744073709551615", CeleryJson.Serialize(ulong.MaxValue));
        Assert.Equal("1180591620717411303424", CeleryJson.Serialize(BigInteger.Pow(2, 70)));
        Assert.Equal("-9223372036854775809", CeleryJson.Serialize(new BigInteger(long.MinValue) - 1));
    }

    [Fact]
    public void Strings_are_ascii_with_lower_case_escapes_and_surrogate_pairs() =>
        Assert.Equal(
            "\"\\u00e9\\ud83d\\ude00\\u0000\\u001f\\u007f\\\"\\\\/\\b\\f\\n\\r\\t~ \"",
            CeleryJson.Serialize("é\U0001F600\u0000\u001f\u007f\"\\/\b\f\n\r\t~ "));

    [Fact]
    public void Separators_are_comma_space_and_colon_space() =>
        Assert.Equal(
            "{\"a\": [1, {\"b\": null}], \"c\": true}",
            CeleryJson.Serialize(new Dictionary<string, object?> { ["a"] = new List<object?> { 1, new Dictionary<string, object?> { ["b"] = null } }, ["c"] = true }));

    [Fact]
    public void Dates_times_decimals_and_uuids_are_written_as_kombu_does() =>
        Assert.Equal(
            "[\"2024-01-02T03:04:05.678901Z\", \"2024-01-02T03:04:05+02:00\", \"2024-01-02T03:04:05.000006\", \"2024-01-02T00:00:00\", " +
            "\"03:04:05\", \"03:04:05.000120\", \"1.10\", \"1E-7\", \"-0.00\", \"100\", \"12345678-1234-5678-1234-567812345678\"]",
            CeleryJson.Serialize(new object?[]
            {
                new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(6789010),
                new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)),
                new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Unspecified).AddTicks(60),
                new DateOnly(2024, 1, 2),
                new TimeOnly(3, 4, 5),
                new TimeOnly(3, 4, 5).Add(TimeSpan.FromTicks(1200)),
                1.10m,
                0.0000001m,
                -0.00m,
                100m,
                Guid.Parse("12345678-1234-5678-1234-567812345678"),
            }));

    [Fact]
    public void Utc_DateTime_ends_in_Z_and_sub_microsecond_ticks_are_dropped() =>
        Assert.Equal("\"2024-01-02T03:04:05.000001Z\"", CeleryJson.Serialize(new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(19)));

    [Fact]
    public void Non_string_keys_become_strings_as_json_dumps_does() =>
        Assert.Equal("{\"1\": \"x\", \"1.5\": \"w\", \"true\": \"t\"}",
            CeleryJson.Serialize(new Dictionary<object, object?> { [1] = "x", [1.5] = "w", [true] = "t" }));

    [Theory]
    [InlineData(typeof(byte[]), "bytes")]
    [InlineData(typeof(HashSet<int>), "set")]
    [InlineData(typeof(TimeSpan), "timedelta")]
    [InlineData(typeof(Uri), "object")]
    public void Values_Celery_refuses_are_refused_naming_their_type(Type type, string pythonKind)
    {
        object value = type == typeof(byte[]) ? new byte[] { 1 }
            : type == typeof(HashSet<int>) ? new HashSet<int> { 1 }
            : type == typeof(TimeSpan) ? TimeSpan.FromSeconds(1)
            : new Uri("http://x/");
        var exception = Assert.Throws<TaskEncodingException>(() => CeleryJson.Serialize(new List<object?> { value }));
        Assert.Contains(type.ToString(), exception.Message, StringComparison.Ordinal);
        Assert.Contains($"({pythonKind}: 'Object of type ... is not JSON serializable')", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1", typeof(long))]
    [InlineData("-0", typeof(long))]
    [InlineData("1.0", typeof(double))]
    [InlineData("1e5", typeof(double))]
    [InlineData("99999999999999999999", typeof(BigInteger))]
    [InlineData("NaN", typeof(double))]
    [InlineData("-Infinity", typeof(double))]
    public void Numbers_read_back_as_Python_would_type_them(string text, Type expected) =>
        Assert.IsType(expected, CeleryJson.Parse(text));

    [Fact]
    public void Objects_keep_key_order_and_the_last_value_of_a_repeated_key()
    {
        var parsed = (IReadOnlyDictionary<string, object?>)CeleryJson.Parse("{\"b\": 1, \"a\": 2, \"b\": 3}")!;
        Assert.Equal(["b", "a"], parsed.Keys);
        Assert.Equal(3L, parsed["b"]);
    }

    [Theory]
    [InlineData("[1, 2", "expecting ',' or ']' at char 5")]
    [InlineData("{\"a\" 1}", "expecting ':' at char 5")]
    [InlineData("[1] x", "extra data after the JSON value at char 4")]
    [InlineData("\"a\u0001\"", "invalid control character in a string at char 2")]
    [InlineData("\"\\x\"", "invalid escape at char 2")]
    [InlineData("tru", "expecting a value at char 0")]
    public void Invalid_json_is_reported_with_its_position(string text, string expected) =>
        Assert.Equal(expected, Assert.Throws<FormatException>(() => CeleryJson.Parse(text)).Message);
}
