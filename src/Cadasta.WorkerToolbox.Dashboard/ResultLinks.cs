namespace Cadasta.WorkerToolbox.Dashboard;

/// <summary>
/// The links a result offers, as the platform shows an export's: every object with an http(s) <c>url</c>
/// (and an optional <c>text</c>) anywhere in the value, e.g. <c>{"links": [{"text": "x.zip", "url": "https://..."}]}</c>.
/// Other schemes (<c>javascript:</c>, <c>data:</c>...) are never made links.
/// </summary>
internal static class ResultLinks
{
    public static IReadOnlyList<(string Text, string Url)> Find(object? value)
    {
        var found = new List<(string Text, string Url)>();
        Walk(value, found, depth: 0);
        return found;
    }

    public static bool IsSafeUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static void Walk(object? value, List<(string Text, string Url)> found, int depth)
    {
        if (depth > 32 || found.Count >= 100)
        {
            return;
        }

        switch (value)
        {
            case IReadOnlyDictionary<string, object?> map:
                if (map.GetValueOrDefault("url") is string url && IsSafeUrl(url))
                {
                    found.Add((map.GetValueOrDefault("text") as string is { Length: > 0 } text ? text : url, url));
                }

                foreach (var item in map.Values)
                {
                    Walk(item, found, depth + 1);
                }

                break;
            case IEnumerable<object?> items:
                foreach (var item in items)
                {
                    Walk(item, found, depth + 1);
                }

                break;
        }
    }
}
