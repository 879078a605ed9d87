using System.Globalization;
using System.Text;

namespace Cadasta.WorkerToolbox.Protocol;

/// <summary>
/// Timestamps as Celery writes and reads them. Celery 5.2 writes <c>datetime.isoformat()</c>:
/// an explicit offset and exactly six fraction digits, or none when the microseconds are zero.
/// Its parser (<c>celery.utils.iso8601</c>) reads the fraction as an integer number of
/// microseconds, so .NET's seven-digit round-trip format fails and three digits are misread:
/// never write anything else.
/// </summary>
internal static class CeleryTimestamp
{
    /// <summary><c>2026-11-28T09:34:16.338006+00:00</c> (header form; sub-microsecond ticks are dropped).</summary>
    public static string FormatIso(DateTimeOffset value) => FormatLocalPart(value.DateTime) + FormatOffset(value.Offset);

    /// <summary>kombu's JSON form of an aware datetime: as <see cref="FormatIso"/> but <c>Z</c> for a zero offset.</summary>
    public static string FormatKombu(DateTimeOffset value) =>
        value.Offset == TimeSpan.Zero ? FormatLocalPart(value.DateTime) + "Z" : FormatIso(value);

    /// <summary><c>isoformat()</c> of a naive datetime (no zone).</summary>
    public static string FormatLocalPart(DateTime value)
    {
        var builder = new StringBuilder(value.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss", CultureInfo.InvariantCulture));
        var microseconds = value.Ticks % TimeSpan.TicksPerSecond / 10;
        if (microseconds != 0)
        {
            builder.Append('.').Append(microseconds.ToString("000000", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    /// <summary><c>isoformat()</c> of a time of day.</summary>
    public static string FormatTime(TimeOnly value)
    {
        var text = value.ToString("HH':'mm':'ss", CultureInfo.InvariantCulture);
        var microseconds = value.Ticks % TimeSpan.TicksPerSecond / 10;
        return microseconds == 0 ? text : text + "." + microseconds.ToString("000000", CultureInfo.InvariantCulture);
    }

    private static string FormatOffset(TimeSpan offset)
    {
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{abs.Hours:00}:{abs.Minutes:00}");
    }

    /// <summary>
    /// Reads <c>YYYY-MM-DD?HH:MM[:SS[.fraction]][Z|±HH:MM]</c> (any one separator character, as
    /// Celery's regex allows). The fraction is read as a decimal fraction (ISO 8601), up to
    /// 100 ns. A timestamp without offset is taken as UTC (Celery would use the worker's local
    /// zone; Cadasta runs in UTC and Celery itself always sends an offset).
    /// </summary>
    public static bool TryParse(string text, out DateTimeOffset value, out string error)
    {
        value = default;
        var position = 0;
        if (!Digits(text, ref position, 4, out var year) || !Expect(text, ref position, '-') ||
            !Digits(text, ref position, 2, out var month) || !Expect(text, ref position, '-') ||
            !Digits(text, ref position, 2, out var day))
        {
            error = "expected a date YYYY-MM-DD";
            return false;
        }

        if (position >= text.Length)
        {
            error = "expected a time after the date";
            return false;
        }

        position++; // any separator, as Celery's regex
        if (!Digits(text, ref position, 2, out var hour) || !Expect(text, ref position, ':') ||
            !Digits(text, ref position, 2, out var minute))
        {
            error = "expected a time HH:MM";
            return false;
        }

        var second = 0;
        long fractionTicks = 0;
        if (position < text.Length && text[position] == ':')
        {
            position++;
            if (!Digits(text, ref position, 2, out second))
            {
                error = "expected seconds SS";
                return false;
            }

            if (position < text.Length && text[position] == '.')
            {
                position++;
                var start = position;
                while (position < text.Length && char.IsAsciiDigit(text[position]))
                {
                    position++;
                }

                if (position == start)
                {
                    error = "expected fraction digits after '.'";
                    return false;
                }

                var fraction = text.Substring(start, Math.Min(7, position - start)).PadRight(7, '0');
                fractionTicks = long.Parse(fraction, CultureInfo.InvariantCulture);
            }
        }

        var offset = TimeSpan.Zero;
        if (position < text.Length)
        {
            var c = text[position];
            if (c == 'Z')
            {
                position++;
            }
            else if (c is '+' or '-')
            {
                position++;
                if (!Digits(text, ref position, 2, out var offsetHours) || !Expect(text, ref position, ':') ||
                    !Digits(text, ref position, 2, out var offsetMinutes))
                {
                    error = "expected an offset ±HH:MM";
                    return false;
                }

                offset = new TimeSpan(offsetHours, offsetMinutes, 0);
                if (c == '-')
                {
                    offset = -offset;
                }
            }
        }

        if (position != text.Length)
        {
            error = $"unexpected text at position {position}";
            return false;
        }

        try
        {
            value = new DateTimeOffset(year, month, day, hour, minute, second, offset).AddTicks(fractionTicks);
            error = string.Empty;
            return true;
        }
        catch (ArgumentException exception)
        {
            error = exception.Message;
            return false;
        }
    }

    private static bool Digits(string text, ref int position, int count, out int value)
    {
        value = 0;
        if (position + count > text.Length)
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            var c = text[position + i];
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        position += count;
        return true;
    }

    private static bool Expect(string text, ref int position, char expected)
    {
        if (position < text.Length && text[position] == expected)
        {
            position++;
            return true;
        }

        return false;
    }
}
