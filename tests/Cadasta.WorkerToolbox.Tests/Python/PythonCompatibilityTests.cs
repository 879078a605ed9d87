using Cadasta.WorkerToolbox.Python;
using Cadasta.WorkerToolbox.Results;

namespace Cadasta.WorkerToolbox.Tests.Python;

/// <summary>
/// Where the library's separate copies of Python formatting used to disagree; expected texts are what
/// Debian's Python 3 (/usr/bin/python3) printed for the same values.
/// </summary>
public sealed class PythonCompatibilityTests
{
    [Fact]
    public void Exception_messages_print_lists_as_lists_and_floats_as_python_repr()
    {
        // str(ValueError('boom', [1, 2])) and str(Exception(1e15, 'x'))
        Assert.Equal("('boom', [1, 2])", new TaskError("ValueError", "builtins", ["boom", new List<object?> { 1L, 2L }]).Message);
        Assert.Equal("(1000000000000000.0, 'x')", new TaskError("Exception", "builtins", [1e15, "x"]).Message);
    }

    [Fact]
    public void Repr_escapes_unicode_that_python_does_not_print()
    {
        Assert.Equal("'\\x85\\u2028é'", PythonRepr.Repr("\u0085\u2028é"));
    }

    [Fact]
    public void Repr_of_a_tuple_keeps_float_points_and_picks_the_quote_python_picks()
    {
        Assert.Equal("(1.0, \"it's\")", PythonRepr.Repr(new PythonTuple([1.0, "it's"])));
        Assert.Equal("{'a': (1,), 'b': [2.5e-05]}", PythonRepr.Repr(new Dictionary<string, object?>
        {
            ["a"] = new PythonTuple([1L]),
            ["b"] = new List<object?> { 2.5e-5 },
        }));
    }

    [Fact]
    public void Json_turns_bool_and_float_keys_into_the_text_json_dumps_writes()
    {
        Assert.Equal("{\"true\": 1, \"1.5\": 2}", PythonJson.Serialize(new Dictionary<object, object?> { [true] = 1L, [1.5] = 2L }));
    }

    [Fact]
    public void Result_json_writes_floats_as_json_dumps_does()
    {
        Assert.Equal("[1000000000000000.0,NaN]", JsonLikeJson.Serialize(new List<object?> { 1e15, double.NaN }));
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("é", 1)]
    [InlineData("a\U0001F600b", 3)]
    public void Str_length_counts_code_points(string text, int expected) => Assert.Equal(expected, PythonStr.Length(text));
}
