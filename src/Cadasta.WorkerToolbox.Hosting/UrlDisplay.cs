namespace Cadasta.WorkerToolbox.Hosting;

/// <summary>A broker or database URL fit for a health report: the password replaced by <c>****</c>.</summary>
internal static class UrlDisplay
{
    public static string MaskPassword(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var at = url.LastIndexOf('@');
        if (scheme < 0 || at < scheme)
        {
            return url;
        }

        var colon = url.IndexOf(':', scheme + 3);
        return colon < 0 || colon > at ? url : url[..(colon + 1)] + "****" + url[at..];
    }
}
