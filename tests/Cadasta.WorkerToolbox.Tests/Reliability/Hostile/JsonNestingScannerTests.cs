using System.Text;
using Cadasta.WorkerToolbox.Protocol;

namespace Cadasta.WorkerToolbox.Tests.Reliability.Hostile;

public sealed class JsonNestingScannerTests
{
    [Theory]
    [InlineData("[[], {}, {\"a\": [1]}]", 3, -1)]
    [InlineData("[[], {}, {\"a\": [1]}]", 2, 15)]
    [InlineData("[\"[[[[[[\", {\"{{{{\": \"]]]]\"}]", 2, -1)]
    [InlineData("[\"\\\"[[[\", [[1]]]", 2, 11)]
    [InlineData("42", 1, -1)]
    public void Finds_the_first_bracket_past_the_limit_and_ignores_brackets_in_strings(string json, int maxDepth, int expected) =>
        Assert.Equal(expected, JsonNestingScanner.FindExcess(Encoding.UTF8.GetBytes(json), maxDepth));

    [Fact]
    public void A_body_nested_100000_levels_is_refused_at_its_first_excess_bracket()
    {
        var body = Encoding.ASCII.GetBytes(new string('[', 100_000) + new string(']', 100_000));
        Assert.Equal(64, JsonNestingScanner.FindExcess(body, 64));
    }
}
