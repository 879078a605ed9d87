using Cadasta.WorkerToolbox.Python;

namespace Cadasta.WorkerToolbox.Tests.Transports.Sqs;

/// <summary>Expected texts are Python 3.11's <c>json.dumps</c> output for the same values.</summary>
public sealed class SqsPythonJsonTests
{
    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(123.456, "123.456")]
    [InlineData(1.5e-7, "1.5e-07")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(-3.0, "-3.0")]
    [InlineData(1e300, "1e+300")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(1.0 / 3, "0.3333333333333333")]
    [InlineData(100.0, "100.0")]
    [InlineData(1e22, "1e+22")]
    [InlineData(0.0, "0.0")]
    public void Floats_are_written_as_python_repr(double value, string expected) =>
        Assert.Equal(expected, PythonJson.Serialize(value));

    [Fact]
    public void Strings_are_ascii_escaped_and_containers_use_python_separators()
    {
        var value = new Dictionary<string, object?>
        {
            ["a"] = new List<object?> { 1L, "\u007f\u00e9\U0001F600\n\u0001\"\\/" },
            ["b"] = null,
            ["c"] = true,
        };

        Assert.Equal("{\"a\": [1, \"\\u007f\\u00e9\\ud83d\\ude00\\n\\u0001\\\"\\\\/\"], \"b\": null, \"c\": true}", PythonJson.Serialize(value));
    }

    [Fact]
    public void Unsupported_values_are_refused() =>
        Assert.Throws<ArgumentException>(() => PythonJson.Serialize(new object()));
}
