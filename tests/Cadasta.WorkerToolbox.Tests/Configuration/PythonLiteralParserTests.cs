using System.Numerics;
using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Python;

namespace Cadasta.WorkerToolbox.Tests.Configuration;

/// <summary>
/// The literal reader against Python 3.11's own answers: each expected text below is what
/// <c>repr(ast.literal_eval(text))</c> printed under /usr/bin/python3 (Debian 12), and each
/// rejected text is one <c>ast.literal_eval</c> rejects.
/// </summary>
public sealed class PythonLiteralParserTests
{
    [Theory]
    [InlineData("True", "True")]
    [InlineData("False", "False")]
    [InlineData("None", "None")]
    [InlineData("0", "0")]
    [InlineData("42", "42")]
    [InlineData("-7", "-7")]
    [InlineData("+3", "3")]
    [InlineData("1_000_000", "1000000")]
    [InlineData("0x1F", "31")]
    [InlineData("0o17", "15")]
    [InlineData("0b101", "5")]
    [InlineData("-0x10", "-16")]
    [InlineData("123456789012345678901234567890", "123456789012345678901234567890")]
    [InlineData("-9223372036854775808", "-9223372036854775808")]
    [InlineData("9223372036854775807", "9223372036854775807")]
    [InlineData("9223372036854775808", "9223372036854775808")]
    [InlineData("1.5", "1.5")]
    [InlineData("1.", "1.0")]
    [InlineData(".5", "0.5")]
    [InlineData("1e3", "1000.0")]
    [InlineData("1E-5", "1e-05")]
    [InlineData("-2.5e-3", "-0.0025")]
    [InlineData("1e400", "inf")]
    [InlineData("1_0.0_1", "10.01")]
    [InlineData("1e16", "1e+16")]
    [InlineData("1e15", "1000000000000000.0")]
    [InlineData("0.1", "0.1")]
    [InlineData("-0.0", "-0.0")]
    [InlineData("2j", "2j")]
    [InlineData("1+2j", "(1+2j)")]
    [InlineData("1.5-0.5j", "(1.5-0.5j)")]
    [InlineData("-1-1j", "(-1-1j)")]
    [InlineData("3J", "3j")]
    [InlineData("'a'", "'a'")]
    [InlineData("\"b\"", "'b'")]
    [InlineData("'it\\'s'", "\"it's\"")]
    [InlineData("'a' 'b'", "'ab'")]
    [InlineData("'''tri\nple'''", "'tri\\nple'")]
    [InlineData("r'\\n'", "'\\\\n'")]
    [InlineData("'\\n\\t\\x41\\101\\u00e9\\U0001F600'", "'\\n\\tAA\u00e9\ud83d\ude00'")]
    [InlineData("u'x'", "'x'")]
    [InlineData("'\\q'", "'\\\\q'")]
    [InlineData("b'ab'", "b'ab'")]
    [InlineData("b'\\x00\\xff'", "b'\\x00\\xff'")]
    [InlineData("rb'\\x'", "b'\\\\x'")]
    [InlineData("()", "()")]
    [InlineData("(1,)", "(1,)")]
    [InlineData("(1, 2)", "(1, 2)")]
    [InlineData("1, 2", "(1, 2)")]
    [InlineData("'msg', 'export'", "('msg', 'export')")]
    [InlineData("('msg','export','geo')", "('msg', 'export', 'geo')")]
    [InlineData("[1, 'a', None]", "[1, 'a', None]")]
    [InlineData("[]", "[]")]
    [InlineData("[1, 2,]", "[1, 2]")]
    [InlineData("{}", "{}")]
    [InlineData("{'a': 1, 'b': [1, (2, 3)]}", "{'a': 1, 'b': [1, (2, 3)]}")]
    [InlineData("{'a': 1, 'a': 2}", "{'a': 2}")]
    [InlineData("{1, 2, 1}", "{1, 2}")]
    [InlineData("set()", "set()")]
    [InlineData("{1, True, 1.0}", "{1}")]
    [InlineData("({'region': 'us-west-2', 'q': ['x', ('y', {'z': None})]},)", "({'region': 'us-west-2', 'q': ['x', ('y', {'z': None})]},)")]
    [InlineData("[\n 1,  # one\n 2\n]", "[1, 2]")]
    [InlineData("  (1)", "1")]
    [InlineData("((1))", "1")]
    [InlineData("'\u00e9'", "'\u00e9'")]
    public void Reads_what_literal_eval_reads_and_prints_it_as_python_repr_does(string text, string pythonRepr)
    {
        Assert.Equal(pythonRepr, PythonRepr.Repr(PythonLiteralParser.Parse(text)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("(oops")]
    [InlineData("msg, export")]
    [InlineData("[1, 2")]
    [InlineData("1 2")]
    [InlineData("01")]
    [InlineData("1__0")]
    [InlineData("1_")]
    [InlineData("0x")]
    [InlineData("foo")]
    [InlineData("1+1")]
    [InlineData("-'a'")]
    [InlineData("--1")]
    [InlineData("{'a': 1,, }")]
    [InlineData("f'x'")]
    [InlineData("'abc")]
    [InlineData("'a\nb'")]
    [InlineData("[x for x in y]")]
    [InlineData("1j+2j")]
    [InlineData("set([1])")]
    [InlineData("True+1j")]
    [InlineData("b'\u00e9'")]
    [InlineData("'a' b'b'")]
    [InlineData("'\\x4'")]
    [InlineData("{[1]: 2}")]
    [InlineData("{[1], 2}")]
    [InlineData("1\n2")]
    [InlineData("lambda: 1")]
    [InlineData("(1,)(2)")]
    [InlineData("[1][0]")]
    [InlineData("a.b")]
    [InlineData("{**{'a': 1}}")]
    [InlineData("*a")]
    [InlineData("1 if 1 else 2")]
    [InlineData("not True")]
    [InlineData("'\\N{DASH}'x")]
    [InlineData("1,,")]
    [InlineData(",")]
    [InlineData("[,]")]
    [InlineData("{'a' 1}")]
    [InlineData("x'a'")]
    [InlineData("1.2.3")]
    [InlineData("0b2")]
    [InlineData("1e")]
    [InlineData("(1))")]
    public void Rejects_what_literal_eval_rejects(string text)
    {
        Assert.Throws<PythonLiteralException>(() => PythonLiteralParser.Parse(text));
    }

    [Theory]
    [InlineData("...")]
    [InlineData("{1: 'a'}")]
    [InlineData("'\\N{EM DASH}'")]
    public void Refuses_the_few_literals_no_setting_can_use(string text)
    {
        // Python accepts these; a setting never needs Ellipsis, non-string dict keys or \N{} escapes.
        Assert.Throws<PythonLiteralException>(() => PythonLiteralParser.Parse(text));
    }

    [Fact]
    public void Produces_plain_clr_values()
    {
        var value = PythonLiteralParser.Parse("({'n': 1, 'f': 2.5, 'big': 99999999999999999999, 'l': [True, None, 'x']},)");

        var tuple = Assert.IsAssignableFrom<IReadOnlyList<object?>>(value);
        var dictionary = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(Assert.Single(tuple));
        Assert.Equal(1L, dictionary["n"]);
        Assert.Equal(2.5, dictionary["f"]);
        Assert.Equal(BigInteger.Parse("99999999999999999999", System.Globalization.CultureInfo.InvariantCulture), dictionary["big"]);
        Assert.Equal(new object?[] { true, null, "x" }, Assert.IsAssignableFrom<IReadOnlyList<object?>>(dictionary["l"]));
        Assert.IsType<Complex>(PythonLiteralParser.Parse("1+2j"));
        Assert.Equal(new byte[] { 0, 255 }, PythonLiteralParser.Parse("b'\\x00\\xff'"));
    }

    [Fact]
    public void Tuples_and_lists_are_told_apart()
    {
        Assert.IsType<PythonTuple>(PythonLiteralParser.Parse("('a',)"));
        Assert.IsType<List<object?>>(PythonLiteralParser.Parse("['a']"));
        Assert.IsType<PythonSet>(PythonLiteralParser.Parse("{'a'}"));
    }

    [Fact]
    public void Reports_a_syntax_error_before_a_name_that_is_not_a_literal()
    {
        var error = Assert.Throws<PythonLiteralException>(() => PythonLiteralParser.Parse("(oops"));

        Assert.Contains("never closed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_is_an_error_not_a_crash()
    {
        var text = new string('[', 500) + new string(']', 500);

        Assert.Throws<PythonLiteralException>(() => PythonLiteralParser.Parse(text));
    }
}
