using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Cadasta.WorkerToolbox.Routing;

/// <summary>
/// Matches routing keys against binding keys the way kombu's virtual transports do
/// (<c>kombu/transport/virtual/exchange.py</c>), which is what Python producers on SQS and on
/// the memory broker use to fan a message out.
/// </summary>
/// <remarks>
/// kombu turns a topic binding key into a Python regular expression: every character but
/// alphanumerics, <c>.</c>, <c>#</c> and <c>*</c> is escaped, the key is split on dots, a word that
/// is exactly <c>*</c> becomes <c>.*?[^\.]</c>, a word that is exactly <c>#</c> becomes <c>.*?</c>,
/// the words are joined with <c>\.</c> and the whole is anchored with <c>^…$</c>. A <c>*</c> inside a
/// word stays a regex quantifier on the character before it (<c>a*b</c> matches <c>b</c>, <c>aab</c>),
/// and a key where that quantifier has nothing to repeat (<c>*a</c>) or repeats a quantifier
/// (<c>a**</c>) makes Python's <c>re</c> fail. This differs from AMQP in edge cases (<c>a.#</c> does
/// not match <c>a</c>; <c>*</c> may span dots); RabbitMQ applies the AMQP rules itself.
/// We build an equivalent .NET pattern rather than copying kombu's text, because .NET rejects or
/// reads differently some escapes Python accepts (<c>\_</c>, escaped combining marks, <c>^*</c>) and
/// quantifies a UTF-16 unit where Python quantifies a code point.
/// </remarks>
internal sealed class VirtualExchangeMatcher
{
    private const string AnyRunLazy = ".*?";
    private const string AnyRunThenOneNonDot = @".*?[^\.]";
    private const string Dot = @"\.";

    // Keys are the binding keys of declared queues: a small, configuration-bounded set.
    private readonly ConcurrentDictionary<string, Regex> _topicPatterns = new(StringComparer.Ordinal);

    /// <summary>Whether a message published with <paramref name="routingKey"/> reaches a binding.</summary>
    /// <exception cref="ArgumentException">A topic binding key kombu cannot compile either.</exception>
    public bool Matches(string exchangeType, string bindingKey, string routingKey) => exchangeType switch
    {
        ExchangeDeclaration.Direct => string.Equals(bindingKey, routingKey, StringComparison.Ordinal),
        ExchangeDeclaration.Fanout => true,
        ExchangeDeclaration.Topic => _topicPatterns.GetOrAdd(bindingKey, CompileTopic).IsMatch(routingKey),
        _ => false,
    };

    /// <summary>Compiles a topic binding key; linear-time matching, whatever the routing key.</summary>
    /// <exception cref="ArgumentException">A binding key kombu cannot compile either.</exception>
    internal static Regex CompileTopic(string bindingKey) =>
        new(ToPattern(bindingKey), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    /// <summary>The .NET regular expression equivalent to the one kombu builds for a topic binding key.</summary>
    /// <exception cref="ArgumentException">A binding key kombu cannot compile either.</exception>
    internal static string ToPattern(string bindingKey)
    {
        ArgumentNullException.ThrowIfNull(bindingKey);
        var pattern = new StringBuilder("^", bindingKey.Length * 7);
        var words = bindingKey.Split('.');
        for (var index = 0; index < words.Length; index++)
        {
            if (index > 0)
            {
                pattern.Append(Dot);
            }

            var word = words[index];
            switch (word)
            {
                case "*":
                    pattern.Append(AnyRunThenOneNonDot);
                    break;
                case "#":
                    pattern.Append(AnyRunLazy);
                    break;
                default:
                    AppendLiteralWord(pattern, bindingKey, word, followsAtom: index > 0);
                    break;
            }
        }

        return pattern.Append('$').ToString();
    }

    /// <summary>Appends one word: literal characters, each <c>*</c> quantifying the atom before it.</summary>
    private static void AppendLiteralWord(StringBuilder pattern, string bindingKey, string word, bool followsAtom)
    {
        // What the previous regex token is, in Python's terms: nothing (just after '^'),
        // an atom a quantifier may repeat, or a quantifier (which another '*' may not repeat).
        var previous = followsAtom ? PreviousToken.Atom : PreviousToken.Nothing;
        for (var i = 0; i < word.Length; i++)
        {
            var c = word[i];
            if (c == '*')
            {
                if (previous != PreviousToken.Atom)
                {
                    var reason = previous == PreviousToken.Nothing ? "nothing to repeat" : "multiple repeat";
                    throw new ArgumentException(
                        $"The topic binding key '{bindingKey}' is not usable: kombu turns it into a regular expression that Python rejects ({reason}: '*' inside a word repeats the character before it).",
                        nameof(bindingKey));
                }

                pattern.Append('*');
                previous = PreviousToken.Quantifier;
            }
            else if (char.IsHighSurrogate(c) && i + 1 < word.Length && char.IsLowSurrogate(word[i + 1]))
            {
                // One code point, one atom (as in Python), so a following '*' repeats the whole pair.
                pattern.Append("(?:");
                AppendEscaped(pattern, c);
                AppendEscaped(pattern, word[++i]);
                pattern.Append(')');
                previous = PreviousToken.Atom;
            }
            else
            {
                AppendEscaped(pattern, c);
                previous = PreviousToken.Atom;
            }
        }
    }

    private static void AppendEscaped(StringBuilder pattern, char c)
    {
        if (char.IsAsciiLetterOrDigit(c))
        {
            pattern.Append(c);
        }
        else
        {
            pattern.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
        }
    }

    private enum PreviousToken
    {
        Nothing,
        Atom,
        Quantifier,
    }
}
