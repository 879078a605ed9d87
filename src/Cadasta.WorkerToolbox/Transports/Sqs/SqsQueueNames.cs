using System.Text;

namespace Cadasta.WorkerToolbox.Transports.Sqs;

/// <summary>
/// SQS queue names as kombu 5.2 forms them (<c>Channel.entity_name</c>, <c>canonical_queue_name</c>):
/// the prefix is prepended first, then <c>.</c> becomes <c>-</c> and every other ASCII punctuation
/// character but <c>-</c> and <c>_</c> becomes <c>_</c>; a trailing <c>.fifo</c> is kept.
/// <c>dev-</c> + <c>platform.fifo</c> → <c>dev-platform.fifo</c>; <c>dev-export.project</c> → <c>dev-export-project</c>.
/// </summary>
internal static class SqsQueueNames
{
    private const string FifoSuffix = ".fifo";

    // Python's string.punctuation.
    private const string Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    /// <summary>The SQS name of <paramref name="queue"/> under <paramref name="prefix"/>.</summary>
    public static string Canonical(string prefix, string queue) => EntityName(prefix + queue);

    /// <summary>kombu's <c>entity_name</c>.</summary>
    public static string EntityName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return IsFifo(name) ? Translate(name[..^FifoSuffix.Length]) + FifoSuffix : Translate(name);
    }

    /// <summary>Whether kombu treats the queue as FIFO (its name ends with <c>.fifo</c>).</summary>
    public static bool IsFifo(string name) => name.EndsWith(FifoSuffix, StringComparison.Ordinal);

    private static string Translate(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(c switch
            {
                '.' => '-',
                '-' or '_' => c,
                _ when Punctuation.Contains(c, StringComparison.Ordinal) => '_',
                _ => c,
            });
        }

        return builder.ToString();
    }
}
