using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Python;

namespace Cadasta.WorkerToolbox.Tests.Configuration;

/// <summary>
/// repr() and pprint.pformat() of values, compared with what Python 3.11 (/usr/bin/python3)
/// printed for the same values.
/// </summary>
public sealed class PythonReprTests
{
    [Theory]
    [InlineData(0.0, "0.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(1.0, "1.0")]
    [InlineData(0.1, "0.1")]
    [InlineData(0.3333333333333333, "0.3333333333333333")]
    [InlineData(2.5e-07, "2.5e-07")]
    [InlineData(123456789.125, "123456789.125")]
    [InlineData(1e+22, "1e+22")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(1.7976931348623157e+308, "1.7976931348623157e+308")]
    [InlineData(100.0, "100.0")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(1.2345678901234568e+16, "1.2345678901234568e+16")]
    [InlineData(9999999999999998.0, "9999999999999998.0")]
    public void Floats_print_as_python_repr(double value, string expected)
    {
        Assert.Equal(expected, PythonRepr.Repr(value));
    }

    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("it's", "\"it's\"")]
    [InlineData("say \"hi\"", "'say \"hi\"'")]
    [InlineData("both ' and \"", "'both \\' and \"'")]
    [InlineData("back\\slash", "'back\\\\slash'")]
    [InlineData("tab\tnew\nline\r", "'tab\\tnew\\nline\\r'")]
    [InlineData("\u0000\u007f\u0085\u00a0", "'\\x00\\x7f\\x85\\xa0'")]
    [InlineData("\u00e9 \u00fc \u4e2d \ud83d\ude00", "'\u00e9 \u00fc \u4e2d \ud83d\ude00'")]
    [InlineData("\u2028\u200b\ue000", "'\\u2028\\u200b\\ue000'")]
    [InlineData(" ", "' '")]
    public void Strings_print_as_python_repr(string value, string expected)
    {
        Assert.Equal(expected, PythonRepr.Repr(value));
    }

    [Fact]
    public void Str_of_text_is_the_text_and_of_anything_else_its_repr()
    {
        Assert.Equal("5432", PythonRepr.Str("5432"));
        Assert.Equal("5432", PythonRepr.Str(5432L));
        Assert.Equal("True", PythonRepr.Str(true));
        Assert.Equal("None", PythonRepr.Str(null));
        Assert.Equal("('a',)", PythonRepr.Str(new PythonTuple(["a"])));
    }

    [Fact]
    public void Pretty_printing_wraps_sorts_and_splits_as_pprint_does()
    {
        var value = new Dictionary<string, object?>
        {
            ["b"] = new Dictionary<string, object?>
            {
                ["long_key_number_two"] = new PythonTuple(["a tuple", "of strings", "that is long"]),
                ["long_key_number_one"] = "value number one",
            },
            ["a"] = new List<object?> { 1L, 2.5, null, true },
            ["s"] = "a long string with many words that will not fit on one line of eighty columns, so pprint splits it",
            ["e"] = new Dictionary<string, object?>(),
            ["t"] = new PythonTuple(["x"]),
            ["u"] = new PythonSet([]),
            ["nested"] = new List<object?>
            {
                new Dictionary<string, object?> { ["k"] = new string('v', 30), ["k2"] = new List<object?> { new string('w', 30), new string('z', 30) } },
            },
        };

        var expected =
            "{'a': [1, 2.5, None, True],\n 'b': {'long_key_number_one': 'value number one',\n       'long_key_number_two': ('a tuple', 'of strings', 'that is long')},\n 'e': {},\n 'nested': [{'k': 'vvvvvvvvvvvvvvvvvvvvvvvvvvvvvv',\n             'k2': ['wwwwwwwwwwwwwwwwwwwwwwwwwwwwww',\n                    'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz']}],\n 's': 'a long string with many words that will not fit on one line of eighty '\n      'columns, so pprint splits it',\n 't': ('x',),\n 'u': set()}";

        Assert.Equal(expected, PrettyPrinter.Format(value));
    }
}
