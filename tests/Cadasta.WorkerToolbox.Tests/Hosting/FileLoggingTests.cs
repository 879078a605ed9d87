using System.Text.RegularExpressions;
using Cadasta.WorkerToolbox.Configuration;
using Cadasta.WorkerToolbox.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Cadasta.WorkerToolbox.Tests.Hosting;

public sealed class FileLoggingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cadasta-logs-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string InfoLog => Path.Combine(_folder, "app.info.log");

    private string ErrorLog => Path.Combine(_folder, "app.error.log");

    [Fact]
    public void A_line_has_the_toolbox_format_with_its_missing_bracket()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2023, 11, 14, 22, 13, 20, 123, TimeSpan.Zero));
        time.SetLocalTimeZone(TimeZoneInfo.Utc);
        using (var provider = new ToolboxFileLoggerProvider(_folder, time))
        {
            provider.CreateLogger("any").LogInformation("hello {Who}", "world");
        }

        Assert.Equal("[2023-11-14 22:13:20,123: INFO/MainProcess hello world\n", File.ReadAllText(InfoLog));
    }

    [Fact]
    public void Timestamps_are_local_time()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2023, 11, 14, 22, 13, 20, 5, TimeSpan.Zero));
        time.SetLocalTimeZone(TimeZoneInfo.CreateCustomTimeZone("plus2", TimeSpan.FromHours(2), "plus2", "plus2"));
        using (var provider = new ToolboxFileLoggerProvider(_folder, time))
        {
            provider.CreateLogger("any").LogWarning("careful");
        }

        Assert.Equal("[2023-11-15 00:13:20,005: WARNING/MainProcess careful\n", File.ReadAllText(InfoLog));
    }

    [Fact]
    public void Info_and_above_go_to_the_info_file_error_and_above_also_to_the_error_file_debug_nowhere()
    {
        using (var provider = new ToolboxFileLoggerProvider(_folder, TimeProvider.System))
        {
            var logger = provider.CreateLogger("any");
            logger.LogDebug("debug line");
            logger.LogInformation("info line");
            logger.LogWarning("warning line");
            logger.LogError(new InvalidOperationException("boom"), "error line");
            logger.LogCritical("critical line");
        }

        var info = File.ReadAllText(InfoLog);
        var error = File.ReadAllText(ErrorLog);
        Assert.DoesNotContain("debug line", info, StringComparison.Ordinal);
        Assert.Matches(@"INFO/MainProcess info line\n", info);
        Assert.Matches(@"WARNING/MainProcess warning line\n", info);
        Assert.Matches(@"ERROR/MainProcess error line\nSystem.InvalidOperationException: boom\n", info);
        Assert.Matches(@"CRITICAL/MainProcess critical line\n", info);
        Assert.DoesNotContain("info line", error, StringComparison.Ordinal);
        Assert.DoesNotContain("warning line", error, StringComparison.Ordinal);
        Assert.Matches(@"^\[[-0-9: ,]+: ERROR/MainProcess error line\nSystem.InvalidOperationException: boom\n\[[-0-9: ,]+: CRITICAL/MainProcess critical line\n$", error);
    }

    [Fact]
    public void Files_roll_over_before_reaching_the_limit_and_keep_two_backups()
    {
        // Each line is 100 bytes with its newline; the limit is 1000: nine lines fit (900 + 100 >= 1000 rolls).
        using (var provider = new ToolboxFileLoggerProvider(_folder, TimeProvider.System, maxBytes: 1000, backupCount: 2))
        {
            var logger = provider.CreateLogger("any");
            var prefixLength = "[2023-11-14 22:13:20,123: INFO/MainProcess ".Length;
            for (var i = 0; i < 40; i++)
            {
                logger.LogInformation("{Text}", $"{i:D3}".PadRight(99 - prefixLength, '.'));
            }
        }

        Assert.False(File.Exists(InfoLog + ".3"));
        var current = File.ReadAllLines(InfoLog);
        var first = File.ReadAllLines(InfoLog + ".1");
        var second = File.ReadAllLines(InfoLog + ".2");
        Assert.Equal(9, first.Length);
        Assert.Equal(9, second.Length);
        Assert.All(new[] { InfoLog, InfoLog + ".1", InfoLog + ".2" }, path => Assert.True(new FileInfo(path).Length < 1000));
        // 40 lines: 9 + 9 + 9 + 9 rolled (the oldest 9 dropped), 4 in the current file.
        Assert.Equal(4, current.Length);
        Assert.Contains("036", current[0], StringComparison.Ordinal);
        Assert.Contains("027", first[0], StringComparison.Ordinal);
        Assert.Contains("018", second[0], StringComparison.Ordinal);
        Assert.False(File.Exists(ErrorLog + ".1"));
    }

    [Fact]
    public async Task Concurrent_writers_never_lose_or_tear_a_line_across_rollovers()
    {
        const int writers = 8;
        const int linesEach = 300;
        using (var provider = new ToolboxFileLoggerProvider(_folder, TimeProvider.System, maxBytes: 1_000_000, backupCount: 2))
        {
            await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() =>
            {
                var logger = provider.CreateLogger($"writer{w}");
                for (var i = 0; i < linesEach; i++)
                {
                    logger.LogInformation("writer {Writer} line {Line} {Padding}", w, i, new string('x', 200));
                }
            })));
        }

        // About 600 KB written into a 1 MB limit with no rollover: every line must be whole and present.
        var lines = File.ReadAllLines(InfoLog);
        Assert.Equal(writers * linesEach, lines.Length);
        var pattern = new Regex(@"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}: INFO/MainProcess writer (\d) line (\d+) x{200}$");
        Assert.All(lines, line => Assert.Matches(pattern, line));
        Assert.Equal(writers * linesEach, lines.Select(l => pattern.Match(l)).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).Distinct().Count());
    }

    [Fact]
    public async Task Concurrent_writers_with_rollovers_keep_every_file_under_the_limit_with_whole_lines()
    {
        using (var provider = new ToolboxFileLoggerProvider(_folder, TimeProvider.System, maxBytes: 4096, backupCount: 2))
        {
            await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(() =>
            {
                var logger = provider.CreateLogger("w");
                for (var i = 0; i < 200; i++)
                {
                    logger.LogInformation("writer {Writer} line {Line}", w, i);
                }
            })));
        }

        foreach (var path in new[] { InfoLog, InfoLog + ".1", InfoLog + ".2" })
        {
            Assert.True(new FileInfo(path).Length < 4096);
            Assert.All(File.ReadAllLines(path), line => Assert.Matches(@"^\[[-0-9: ,]+: INFO/MainProcess writer \d line \d+$", line));
        }

        Assert.False(File.Exists(InfoLog + ".3"));
    }

    [Fact]
    public void Off_unless_setup_file_logging_is_set()
    {
        var directory = Path.Combine(_folder, "off");
        using (var off = ToolboxFileLoggerProvider.FromConfig(new Config(environment: new Dictionary<string, string>()), directory, TimeProvider.System))
        {
            off.CreateLogger("x").LogError("nothing");
            Assert.False(off.CreateLogger("x").IsEnabled(LogLevel.Error));
        }

        Assert.False(Directory.Exists(directory));

        var on = new Config(environment: new Dictionary<string, string> { ["CELERY_SETUP_FILE_LOGGING"] = "True" });
        using (var provider = ToolboxFileLoggerProvider.FromConfig(on, _folder, TimeProvider.System))
        {
            provider.CreateLogger("x").LogError("something");
        }

        Assert.Contains("ERROR/MainProcess something", File.ReadAllText(ErrorLog), StringComparison.Ordinal);
    }
}
