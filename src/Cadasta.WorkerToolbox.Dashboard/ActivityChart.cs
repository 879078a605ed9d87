using System.Globalization;
using Cadasta.WorkerToolbox.Monitoring;

namespace Cadasta.WorkerToolbox.Dashboard;

/// <summary>
/// The overview's chart as inline SVG drawn on the server: one stacked bar per minute of the last hour,
/// succeeded below and failed above, with the peak on the axis. No script and no style attribute: the colours
/// come from the stylesheet's classes, so the content security policy stays strict.
/// </summary>
internal static class ActivityChart
{
    public const int Minutes = 60;
    private const int Width = 720;
    private const int Height = 180;
    private const int Left = 40;
    private const int Bottom = 20;
    private const int Top = 10;

    /// <summary>The 60 one-minute buckets ending with the minute of <paramref name="now"/>, empty minutes filled in.</summary>
    public static IReadOnlyList<TaskActivityBucket> LastHour(IReadOnlyList<TaskActivityBucket> buckets, DateTimeOffset now)
    {
        var endMinute = Truncate(now);
        var byStart = buckets.GroupBy(bucket => Truncate(bucket.Start))
            .ToDictionary(group => group.Key, group => new TaskActivityBucket(group.Key, group.Sum(b => b.Succeeded), group.Sum(b => b.Failed)));
        return [.. Enumerable.Range(0, Minutes)
            .Select(index => endMinute.AddMinutes(index - (Minutes - 1)))
            .Select(start => byStart.GetValueOrDefault(start) ?? new TaskActivityBucket(start, 0, 0))];
    }

    public static void Render(Html html, IReadOnlyList<TaskActivityBucket> minutes)
    {
        var peak = Math.Max(1, minutes.Count == 0 ? 1 : minutes.Max(bucket => bucket.Finished));
        var plotWidth = Width - Left;
        var plotHeight = Height - Top - Bottom;
        var slot = (double)plotWidth / Math.Max(1, minutes.Count);
        html.Raw($"<svg class=\"chart\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"Tasks finished per minute, last hour\" xmlns=\"http://www.w3.org/2000/svg\">");
        html.Raw($"<line class=\"axis\" x1=\"{Left}\" y1=\"{Top + plotHeight}\" x2=\"{Width}\" y2=\"{Top + plotHeight}\"/>");
        html.Raw($"<line class=\"axis\" x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Top + plotHeight}\"/>");
        html.Raw($"<text class=\"axis-label\" x=\"{Left - 6}\" y=\"{Top + 8}\" text-anchor=\"end\">").Text(peak.ToString(CultureInfo.InvariantCulture)).Raw("</text>");
        html.Raw($"<text class=\"axis-label\" x=\"{Left - 6}\" y=\"{Top + plotHeight}\" text-anchor=\"end\">0</text>");
        for (var index = 0; index < minutes.Count; index++)
        {
            var bucket = minutes[index];
            var x = Left + (index * slot) + 1;
            var barWidth = Math.Max(1, slot - 2);
            var succeededHeight = plotHeight * bucket.Succeeded / (double)peak;
            var failedHeight = plotHeight * bucket.Failed / (double)peak;
            var baseY = Top + plotHeight;
            var label = string.Create(CultureInfo.InvariantCulture, $"{DisplayFormat.Time(bucket.Start)[11..16]} UTC: {bucket.Succeeded} succeeded, {bucket.Failed} failed");
            html.Raw("<g class=\"minute\">").Element("title", label);
            if (bucket.Succeeded > 0)
            {
                html.Raw(string.Create(CultureInfo.InvariantCulture, $"<rect class=\"bar-success\" x=\"{x:0.##}\" y=\"{baseY - succeededHeight:0.##}\" width=\"{barWidth:0.##}\" height=\"{succeededHeight:0.##}\"/>"));
            }

            if (bucket.Failed > 0)
            {
                html.Raw(string.Create(CultureInfo.InvariantCulture, $"<rect class=\"bar-failure\" x=\"{x:0.##}\" y=\"{baseY - succeededHeight - failedHeight:0.##}\" width=\"{barWidth:0.##}\" height=\"{failedHeight:0.##}\"/>"));
            }

            html.Raw("</g>");
        }

        if (minutes.Count > 0)
        {
            html.Raw($"<text class=\"axis-label\" x=\"{Left}\" y=\"{Height - 4}\">").Text(DisplayFormat.Time(minutes[0].Start)[11..16]).Raw("</text>");
            html.Raw($"<text class=\"axis-label\" x=\"{Width}\" y=\"{Height - 4}\" text-anchor=\"end\">").Text(DisplayFormat.Time(minutes[^1].Start)[11..16] + " UTC").Raw("</text>");
        }

        html.Raw("</svg>");
    }

    private static DateTimeOffset Truncate(DateTimeOffset moment)
    {
        var utc = moment.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, 0, TimeSpan.Zero);
    }
}
