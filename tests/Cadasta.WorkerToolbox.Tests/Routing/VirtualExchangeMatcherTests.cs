using Cadasta.WorkerToolbox.Routing;

namespace Cadasta.WorkerToolbox.Tests.Routing;

/// <summary>
/// kombu's virtual topic matching, pinned with literal expectations. The first rows are the
/// table of celery-wire-facts §4; the others were checked against kombu 5.2.4 itself (the
/// integration test KombuTopicMatchInteropTests compares every row with kombu at run time).
/// </summary>
public sealed class VirtualExchangeMatcherTests
{
    private readonly VirtualExchangeMatcher _matcher = new();

    [Theory]
    // celery-wire-facts §4 table.
    [InlineData("#", "export", true)]
    [InlineData("#", "export.project", true)]
    [InlineData("#", "", true)]
    [InlineData("export", "export.project", false)]
    [InlineData("export.#", "export", false)]
    [InlineData("export.*", "export.project.xls", true)]
    [InlineData("*", "export.project", true)]
    [InlineData("#.c", "c", false)]
    // Exact keys and the Cadasta keys.
    [InlineData("export", "export", true)]
    [InlineData("export", "exports", false)]
    [InlineData("export", "Export", false)]
    [InlineData("celery", "celery", true)]
    [InlineData("platform.fifo", "platform.fifo", true)]
    [InlineData("platform.fifo", "platformXfifo", false)]
    [InlineData("my_queue", "my_queue", true)]
    [InlineData("my-queue", "my-queue", true)]
    // '#' and '*' words.
    [InlineData("a.#", "a.", true)]
    [InlineData("a.#", "a.b.c", true)]
    [InlineData("#.c", "a.c", true)]
    [InlineData("#.c", ".c", true)]
    [InlineData("*", "", false)]
    [InlineData("*", "a", true)]
    [InlineData("*", "a.", false)]
    [InlineData("*", ".a", true)]
    [InlineData("a.*", "a.", false)]
    [InlineData("a.*.c", "a.b.x.c", true)]
    [InlineData("*.*", "a.b", true)]
    [InlineData("*.*", "ab", false)]
    // Empty words.
    [InlineData("a..b", "a..b", true)]
    [InlineData("a..b", "a.b", false)]
    [InlineData(".a", ".a", true)]
    [InlineData("a.", "a.", true)]
    [InlineData("a.", "a", false)]
    [InlineData("", "", true)]
    [InlineData("", "a", false)]
    // A '*' inside a word repeats the character before it; '#' inside a word is literal.
    [InlineData("a*b", "b", true)]
    [InlineData("a*b", "aaab", true)]
    [InlineData("a*b", "a*b", false)]
    [InlineData("a.*b", "ab", true)]
    [InlineData("a.*b", "a..b", true)]
    [InlineData("a#b", "a#b", true)]
    [InlineData("a#b", "axb", false)]
    [InlineData("a#", "a#", true)]
    // Regex metacharacters are literal.
    [InlineData("a+b", "a+b", true)]
    [InlineData("a+b", "aab", false)]
    [InlineData("a(b", "a(b", true)]
    [InlineData("$", "$", true)]
    [InlineData("$", "", false)]
    [InlineData("^a", "^a", true)]
    [InlineData("a|b", "a", false)]
    [InlineData("a?", "a", false)]
    [InlineData("[ab]", "a", false)]
    [InlineData("[ab]", "[ab]", true)]
    [InlineData(@"a\b", @"a\b", true)]
    [InlineData("a b", "a b", true)]
    [InlineData("a{2}", "aa", false)]
    // Unicode: letters, combining marks, astral code points.
    [InlineData("grüße", "grüße", true)]
    [InlineData("世界.#", "世界.x", true)]
    [InlineData("e\u0301", "e\u0301", true)]
    [InlineData("e\u0301", "e", false)]
    [InlineData("😀", "😀", true)]
    [InlineData("😀*x", "😀😀x", true)]
    [InlineData("😀*x", "x", true)]
    // A trailing newline in the routing key: Python's '$' also matches before it (.NET's too).
    [InlineData("a", "a\n", true)]
    [InlineData("a", "a\n\n", false)]
    [InlineData("", "\n", true)]
    [InlineData("#", "a\nb", false)]
    [InlineData("#", "a\n", true)]
    [InlineData("*", "a\n", true)]
    [InlineData("a\nb", "a\nb", true)]
    [InlineData("a\n", "a\n", true)]
    [InlineData("a\n", "a", false)]
    [InlineData("a\0b", "a\0b", true)]
    public void Topic_matches_as_kombu(string bindingKey, string routingKey, bool expected) =>
        Assert.Equal(expected, _matcher.Matches(ExchangeDeclaration.Topic, bindingKey, routingKey));

    [Theory]
    [InlineData("*a", "nothing to repeat")]
    [InlineData("**", "nothing to repeat")]
    [InlineData("*#", "nothing to repeat")]
    [InlineData("a**", "multiple repeat")]
    [InlineData("a.**", "multiple repeat")]
    [InlineData("a.b**c", "multiple repeat")]
    public void Topic_keys_python_rejects_are_rejected_with_the_reason(string bindingKey, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => _matcher.Matches(ExchangeDeclaration.Topic, bindingKey, "a"));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Contains(bindingKey, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("export", "export", true)]
    [InlineData("export", "export.project", false)]
    [InlineData("#", "export", false)]
    [InlineData("*", "a", false)]
    [InlineData("", "", true)]
    public void Direct_compares_the_exact_string(string bindingKey, string routingKey, bool expected) =>
        Assert.Equal(expected, _matcher.Matches(ExchangeDeclaration.Direct, bindingKey, routingKey));

    [Theory]
    [InlineData("anything", "else")]
    [InlineData("", "x")]
    public void Fanout_matches_every_key(string bindingKey, string routingKey) =>
        Assert.True(_matcher.Matches(ExchangeDeclaration.Fanout, bindingKey, routingKey));

    [Fact]
    public void An_unknown_exchange_type_matches_nothing() =>
        Assert.False(_matcher.Matches("headers", "a", "a"));

    [Fact]
    public void Matching_takes_linear_time_whatever_the_keys() =>
        Assert.False(_matcher.Matches(ExchangeDeclaration.Topic, string.Join('.', Enumerable.Repeat("#", 40)) + ".x", new string('.', 20_000)));
}
