using Cadasta.WorkerToolbox.Protocol;

namespace Cadasta.WorkerToolbox.Tests.Protocol;

public sealed class CeleryTimestampTests
{
    private static readonly DateTimeOffset Base = new(2026, 11, 28, 9, 34, 16, TimeSpan.Zero);

    [Fact]
    public void Six_fraction_digits_and_an_explicit_offset() =>
        Assert.Equal("2026-11-28T09:34:16.338006+00:00", CeleryTimestamp.FormatIso(Base.AddTicks(3380060)));

    [Fact]
    public void No_fraction_when_the_microseconds_are_zero() =>
        Assert.Equal("2026-11-28T09:34:16+00:00", CeleryTimestamp.FormatIso(Base.AddTicks(9))); // 0.9 µs is dropped, as Python has no ticks

    [Fact]
    public void Leading_zeros_of_the_fraction_are_kept() =>
        Assert.Equal("2026-11-28T09:34:16.000120+00:00", CeleryTimestamp.FormatIso(Base.AddTicks(1200)));

    [Theory]
    [InlineData(2, 0, "+02:00")]
    [InlineData(-5, -30, "-05:30")]
    [InlineData(5, 45, "+05:45")]
    public void Offsets_are_written_as_given(int hours, int minutes, string suffix) =>
        Assert.Equal("2026-11-28T09:34:16.500000" + suffix,
            CeleryTimestamp.FormatIso(new DateTimeOffset(2026, 11, 28, 9, 34, 16, new TimeSpan(hours, minutes, 0)).AddMilliseconds(500)));

    [Fact]
    public void Never_the_seven_digit_round_trip_format_nor_three_digits()
    {
        var text = CeleryTimestamp.FormatIso(Base.AddTicks(1234567));
        Assert.Equal("2026-11-28T09:34:16.123456+00:00", text);
        Assert.NotEqual(Base.AddTicks(1234567).ToString("O", System.Globalization.CultureInfo.InvariantCulture), text);
    }

    [Theory]
    [InlineData("2026-11-28T09:34:16.338006+00:00", 3380060, 0)]
    [InlineData("2026-11-28T09:34:16Z", 0, 0)]
    [InlineData("2026-11-28 09:34:16.5", 5000000, 0)]
    [InlineData("2026-11-28T11:34:16.123+02:00", 1230000, 2)]
    [InlineData("2026-11-28T09:34:16.1234567-01:00", 1234567, -1)]
    public void Parses_what_Celery_and_other_producers_write(string text, long fractionTicks, int offsetHours)
    {
        Assert.True(CeleryTimestamp.TryParse(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromHours(offsetHours), value.Offset);
        Assert.Equal(fractionTicks, value.Ticks % TimeSpan.TicksPerSecond);
    }

    [Theory]
    [InlineData("tomorrow", "expected a date YYYY-MM-DD")]
    [InlineData("2026-11-28", "expected a time after the date")]
    [InlineData("2026-11-28T9:34", "expected a time HH:MM")]
    [InlineData("2026-11-28T09:34:16+0200", "expected an offset ±HH:MM")]
    [InlineData("2026-11-28T09:34:16 junk", "unexpected text at position 19")]
    public void Rejects_what_is_not_a_timestamp(string text, string expected)
    {
        Assert.False(CeleryTimestamp.TryParse(text, out _, out var error));
        Assert.Equal(expected, error);
    }
}
