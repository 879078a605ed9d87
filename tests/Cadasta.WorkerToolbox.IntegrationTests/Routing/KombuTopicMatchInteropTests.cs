using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Cadasta.WorkerToolbox.Routing;

namespace Cadasta.WorkerToolbox.IntegrationTests.Routing;

/// <summary>
/// Our topic matcher against kombu's own (tests/interop/kombu_topic_match.py run by Debian's
/// Python with kombu 5.2.4): the same answer, match, no match or "kombu cannot compile this
/// binding key", for every pair of a generated table of binding and routing keys.
/// </summary>
public sealed class KombuTopicMatchInteropTests
{
    private const string Python = "/usr/bin/python3";

    private static readonly string[] BindingKeys =
    [
        "#", "*", "a", "b", "a.b", "a.#", "#.a", "#.c", "a.*", "*.a", "a.*.c", "a.#.c", "#.#", "*.*", "#.*", "*.#",
        "a..b", ".a", "a.", "", ".", "..", "#.", ".#", "*.", ".*",
        "a+b", "a(b", "a)b", "$", "^", "a$", "^a", "a|b", "[a]", "a?", "a{1}", "\\", "a\\.b", "a b", "a\tb", "a-b", "my_queue",
        "a*b", "a.*b", "a*", "a*.b", "ab*", "a#b", "a#", "#a", "##", "a.##", "*a", "**", "a**", "a.**", "*#",
        "é", "e\u0301", "e\u0301*", "世界", "世界.#", "😀", "😀*", "😀.*", "Ⅻ", "²", "\u00A0",
        "a\nb", "a\n", "\n", "#\n", "\0", "a\0b", "\01",
        "celery", "export", "msg", "platform.fifo",
    ];

    private static readonly string[] RoutingKeys =
    [
        "a", "b", "c", "", ".", "..", "a.", ".a", "a.b", "a.c", "a.b.c", "a.x.y.c", "a..b", "ab", "aab", "aaab", "b.c",
        "a+b", "a(b", "a)b", "$", "^", "a$", "^a", "a|b", "[a]", "a?", "a{1}", "\\", "a\\b", "a\\.b", "a b", "a\tb", "a-b", "my_queue", "myXqueue",
        "a*b", "a#b", "a#", "#", "*", "##",
        "é", "e\u0301", "e", "e\u0301\u0301", "世界", "世界.x", "😀", "😀😀", "😀.x", "Ⅻ", "²", "\u00A0",
        "a\nb", "a\n", "a\n\n", "\n", "#\n", "\0", "a\0b", "\01",
        "celery", "export", "export.project", "msg.send", "platform.fifo", "platformXfifo",
    ];

    private static readonly string[] Alphabet = ["a", "b", ".", ".", "*", "#", "+", "_", "(", "$", "\n", "é", "😀", " "];

    [Fact]
    public async Task Our_topic_matching_gives_kombus_answer_for_every_pair()
    {
        var pairs = GeneratedPairs();
        var answers = await AskKombuAsync(pairs);
        Assert.Equal(pairs.Count, answers.Count);

        var matcher = new VirtualExchangeMatcher();
        var disagreements = new List<string>();
        for (var i = 0; i < pairs.Count; i++)
        {
            var (bindingKey, routingKey) = pairs[i];
            string ours;
            try
            {
                ours = matcher.Matches(ExchangeDeclaration.Topic, bindingKey, routingKey) ? "match" : "no match";
            }
            catch (ArgumentException)
            {
                ours = "error";
            }

            if (ours != answers[i])
            {
                disagreements.Add($"binding {Show(bindingKey)}, routing {Show(routingKey)}: kombu says {answers[i]}, we say {ours}");
            }
        }

        Assert.True(
            disagreements.Count == 0,
            $"{disagreements.Count} of {pairs.Count} pairs disagree with kombu:{Environment.NewLine}{string.Join(Environment.NewLine, disagreements.Take(40))}");
        Assert.Contains("error", answers);
        Assert.Contains("match", answers);
        Assert.Contains("no match", answers);
    }

    private static List<(string Binding, string Routing)> GeneratedPairs()
    {
        var pairs = new List<(string, string)>();
        foreach (var binding in BindingKeys)
        {
            pairs.AddRange(RoutingKeys.Select(routing => (binding, routing)));
        }

        // Random keys over a small alphabet of the characters that matter, with a fixed seed so a failure reproduces.
        var random = new Random(20261128);
        string RandomKey() => string.Concat(Enumerable.Range(0, random.Next(0, 6)).Select(_ => Alphabet[random.Next(Alphabet.Length)]));
        for (var i = 0; i < 3000; i++)
        {
            var binding = RandomKey();
            pairs.Add((binding, RandomKey()));
            pairs.Add((binding, binding.Replace("*", "a", StringComparison.Ordinal).Replace("#", "a.b", StringComparison.Ordinal)));
        }

        return pairs;
    }

    private static async Task<IReadOnlyList<string>> AskKombuAsync(IReadOnlyList<(string Binding, string Routing)> pairs)
    {
        Assert.True(File.Exists(Python), $"Python peer missing: {Python} not found. Install Debian's python3-kombu with scripts/services/install.");
        var script = Path.Combine(RepositoryRoot(), "tests", "interop", "kombu_topic_match.py");
        var start = new ProcessStartInfo(Python)
        {
            ArgumentList = { script },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Python}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(JsonSerializer.Serialize(pairs.Select(p => new[] { p.Binding, p.Routing })));
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(
            process.ExitCode == 0,
            $"{Python} {script} failed (exit {process.ExitCode}); it needs Debian's python3-kombu (scripts/services/install):{Environment.NewLine}{await errors}");

        using var document = JsonDocument.Parse(await output);
        Assert.StartsWith("5.2.", document.RootElement.GetProperty("kombu").GetString(), StringComparison.Ordinal);
        return [.. document.RootElement.GetProperty("answers").EnumerateArray().Select(answer =>
            answer.TryGetProperty("error", out _) ? "error"
            : answer.GetProperty("match").GetBoolean() ? "match" : "no match")];
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Cadasta.WorkerToolbox.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Cadasta.WorkerToolbox.slnx above {AppContext.BaseDirectory}.");
    }

    private static string Show(string key) => JsonSerializer.Serialize(key);
}
