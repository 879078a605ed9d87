using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace Cadasta.WorkerToolbox.Routing;

/// <summary>
/// Matches routing keys against binding keys the way kombu's virtual transports do
/// (<c>kombu/transport/virtual/exchange.py</c>), which is what Python producers on SQS and on
/// the memory broker use to fan a message out. Topic keys become a regular expression: every
/// character but letters, digits, <c>.</c>, <c>#</c> and <c>*</c> is escaped, the key is split
/// on dots, <c>*</c> becomes <c>.*?[^\.]</c>, <c>#</c> becomes <c>.*?</c>, and the words are joined
/// with <c>\.</c> and anchored. This differs from AMQP in edge cases (<c>a.#</c> does not match
/// <c>a</c>; <c>*</c> may span dots); RabbitMQ applies the AMQP rules itself.
/// </summary>
internal sealed class VirtualExchangeMatcher
{
    private readonly ConcurrentDictionary<string, Regex> _topicPatterns = new(StringComparer.Ordinal);

    /// <summary>Whether a message published with <paramref name="routingKey"/> reaches a binding.</summary>
    public bool Matches(string exchangeType, string bindingKey, string routingKey) => exchangeType switch
    {
        ExchangeDeclaration.Direct => string.Equals(bindingKey, routingKey, StringComparison.Ordinal),
        ExchangeDeclaration.Fanout => true,
        ExchangeDeclaration.Topic => _topicPatterns.GetOrAdd(bindingKey, static key => new Regex(ToPattern(key), RegexOptions.CultureInvariant)).IsMatch(routingKey),
        _ => false,
    };

    /// <summary>The regular expression kombu builds for a topic binding key.</summary>
    internal static string ToPattern(string bindingKey)
    {
        var escaped = new StringBuilder(bindingKey.Length * 2);
        foreach (var c in bindingKey)
        {
            if (char.IsLetterOrDigit(c) || c is '.' or '#' or '*')
            {
                escaped.Append(c);
            }
            else if (c == '\0')
            {
                escaped.Append("\\000");
            }
            else
            {
                escaped.Append('\\').Append(c);
            }
        }

        var words = escaped.ToString().Split('.').Select(word => word switch
        {
            "*" => @".*?[^\.]",
            "#" => ".*?",
            _ => word,
        });
        return "^" + string.Join(@"\.", words) + "$";
    }
}
