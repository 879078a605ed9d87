using System.Numerics;
using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Python;

namespace Cadasta.WorkerToolbox.Tests.Protocol;

/// <summary>Expected texts are what <c>celery.utils.saferepr.saferepr</c> (5.2.6) printed for the same values.</summary>
public sealed class CelerySafeReprTests
{
    private static PythonTuple Tuple(params object?[] items) => new(items);

    [Fact]
    public void Tuples_print_with_parentheses_and_a_trailing_comma_for_one_item()
    {
        Assert.Equal("(1,)", CelerySafeRepr.SafeRepr(Tuple(1L), 1024));
        Assert.Equal("()", CelerySafeRepr.SafeRepr(Tuple(), 1024));
    }

    [Fact]
    public void Strings_are_single_quoted_with_only_the_quote_escaped() =>
        Assert.Equal("('a', 'it\\'s', 'x\ny')", CelerySafeRepr.SafeRepr(Tuple("a", "it's", "x\ny"), 1024));

    [Fact]
    public void Non_ascii_stays_as_is() =>
        Assert.Equal("('é😀',)", CelerySafeRepr.SafeRepr(Tuple("é\U0001F600"), 1024));

    [Fact]
    public void None_booleans_floats_and_big_ints_print_as_Python() =>
        Assert.Equal("(None, True, False, 1.5, 100000000000000000000)",
            CelerySafeRepr.SafeRepr(Tuple(null, true, false, 1.5, BigInteger.Pow(10, 20)), 1024));

    [Fact]
    public void Containers_below_three_levels_print_as_ellipsis()
    {
        var value = new Dictionary<string, object?> { ["k"] = new List<object?> { 1L, Tuple(2L), new Dictionary<string, object?> { ["d"] = new List<object?> { 3L } } } };
        Assert.Equal("{'k': [1, (2,), {'d': [...]}]}", CelerySafeRepr.SafeRepr(value, 1024));
        Assert.Equal("[[[[...]]]]", CelerySafeRepr.SafeRepr(new List<object?> { new List<object?> { new List<object?> { new List<object?> { 1L } } } }, 1024));
    }

    [Fact]
    public void Decimals_print_as_their_repr() =>
        Assert.Equal("[Decimal('1.10')]", CelerySafeRepr.SafeRepr(new List<object?> { 1.10m }));

    [Fact]
    public void The_length_limit_cuts_at_a_word_and_closes_open_brackets() =>
        Assert.Equal("('a b c d...', ...)", CelerySafeRepr.SafeRepr(Tuple("a b c d e f g h", "xyz"), 10));

    [Fact]
    public void The_length_limit_reproduces_Celerys_quirks_token_for_token()
    {
        // Celery drops the token on which the limit is hit, even an opening bracket.
        Assert.Equal("['aaaa', , ...]]", CelerySafeRepr.SafeRepr(new List<object?> { "aaaa", new List<object?> { "bbbb", new List<object?> { "cccc" } } }, 9));
        Assert.Equal("{'key one': , ...}", CelerySafeRepr.SafeRepr(new Dictionary<string, object?> { ["key one"] = "value one", ["k2"] = "v2" }, 12));
    }

    [Fact]
    public void A_signature_prints_as_its_dict_with_args_as_a_tuple() =>
        Assert.Equal(
            "{'task': 'a.b', 'args': (1,), 'kwargs': {}, 'options': {}, 'subtask_type': None, 'immutable': True}",
            CelerySafeRepr.SafeRepr(Signature.CreateImmutable("a.b", [1L])));

    [Fact]
    public void Lengths_count_code_points_like_Python()
    {
        Assert.Equal(1, PythonStr.Length("\U0001F600"));
        Assert.Equal("\U0001F600\U0001F600...", CelerySafeRepr.Truncate("\U0001F600\U0001F600\U0001F600", 2));
    }
}
