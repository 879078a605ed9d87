using System.Text;
using System.Text.RegularExpressions;
using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.Tests.Protocol;

/// <summary>One file of Fixtures/celery-5.2, written by tests/interop/capture_messages.py from real Celery 5.2.6.</summary>
internal sealed partial class CeleryFixture
{
    private CeleryFixture(string name, IReadOnlyDictionary<string, object?> root)
    {
        Name = name;
        Now = DateTimeOffset.Parse((string)root["now"]!, System.Globalization.CultureInfo.InvariantCulture);
        ReplyTo = (string)root["reply_to"]!;
        Messages = ((IReadOnlyList<object?>)root["messages"]!).Cast<IReadOnlyDictionary<string, object?>>().Select(m => new Captured(m)).ToList();
    }

    public string Name { get; }

    public DateTimeOffset Now { get; }

    public string ReplyTo { get; }

    public IReadOnlyList<Captured> Messages { get; }

    public string Origin => (string)Messages[0].Headers["origin"]!;

    public static IEnumerable<string> Names => Directory.GetFiles(Directory_, "*.json").Select(Path.GetFileNameWithoutExtension).Order()!;

    public static CeleryFixture Load(string name) =>
        new(name, (IReadOnlyDictionary<string, object?>)CeleryJson.Parse(File.ReadAllText(Path.Combine(Directory_, name + ".json")))!);

    private static string Directory_
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tests", "Cadasta.WorkerToolbox.Tests", "Fixtures", "celery-5.2");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new DirectoryNotFoundException("Fixtures/celery-5.2 not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Replaces every UUID with ID1, ID2... in order of first appearance, one numbering across all texts.</summary>
    public static IReadOnlyList<string> CanonicalIds(IEnumerable<string> texts)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        return texts.Select(text => Uuid().Replace(text, m =>
        {
            if (!map.TryGetValue(m.Value, out var placeholder))
            {
                placeholder = "ID" + (map.Count + 1);
                map[m.Value] = placeholder;
            }

            return placeholder;
        })).ToList();
    }

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    public static partial Regex Uuid();

    internal sealed class Captured(IReadOnlyDictionary<string, object?> raw)
    {
        public string Exchange => (string)raw["exchange"]!;

        public string RoutingKey => (string)raw["routing_key"]!;

        public string ContentType => (string)raw["content_type"]!;

        public string ContentEncoding => (string)raw["content_encoding"]!;

        public IReadOnlyDictionary<string, object?> Headers => (IReadOnlyDictionary<string, object?>)raw["headers"]!;

        public IReadOnlyDictionary<string, object?> Properties => (IReadOnlyDictionary<string, object?>)raw["properties"]!;

        public object? Body => raw["body"];

        public string BodyRaw => (string)raw["body_raw"]!;

        public TransportMessage ToTransportMessage() => new()
        {
            Body = Encoding.UTF8.GetBytes(BodyRaw),
            ContentType = ContentType,
            ContentEncoding = ContentEncoding,
            Headers = Headers,
            Properties = Properties,
        };
    }
}
