using System.Globalization;

namespace Cadasta.WorkerToolbox.Python;

/// <summary>
/// Numbers printed exactly as CPython prints them: <c>repr(float)</c> and <c>str(Decimal)</c>.
/// The one place every Python-compatible writer (repr, saferepr, <c>json.dumps</c>) takes them from.
/// </summary>
internal static class PythonFloat
{
    /// <summary>
    /// <c>repr(float)</c>: the shortest digits that round-trip, fixed notation when the decimal
    /// exponent lies in [-4, 16) (with a trailing <c>.0</c> unless <paramref name="addDotZero"/> is
    /// false, as inside a complex repr), scientific otherwise (<c>1e+16</c>, <c>1e-05</c>).
    /// NaN and infinities print as <c>nan</c>, <c>inf</c>, <c>-inf</c>.
    /// </summary>
    public static string Repr(double value, bool addDotZero = true)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        // "R" gives the shortest round-trip digits (as Python's repr); only the layout differs.
        var shortest = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var (digits, exponent) = DigitsAndExponent(shortest);
        var sign = double.IsNegative(value) ? "-" : string.Empty;
        if (digits == "0")
        {
            return sign + (addDotZero ? "0.0" : "0");
        }

        // Python switches to scientific notation when the decimal exponent is < -4 or >= 16.
        var decimalExponent = exponent + digits.Length - 1;
        if (decimalExponent < -4 || decimalExponent >= 16)
        {
            var mantissa = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            var exponentText = Math.Abs(decimalExponent).ToString("00", CultureInfo.InvariantCulture);
            return $"{sign}{mantissa}e{(decimalExponent < 0 ? '-' : '+')}{exponentText}";
        }

        string body;
        if (exponent >= 0)
        {
            body = digits + new string('0', exponent) + (addDotZero ? ".0" : string.Empty);
        }
        else if (-exponent < digits.Length)
        {
            body = digits[..(digits.Length + exponent)] + "." + digits[(digits.Length + exponent)..];
        }
        else
        {
            body = "0." + new string('0', -exponent - digits.Length) + digits;
        }

        return sign + body;
    }

    /// <summary><c>str(Decimal)</c> for the decimal with the same coefficient and exponent (keeps trailing zeros, <c>1E-7</c> below 10^-6).</summary>
    public static string DecimalStr(decimal value)
    {
        // decimal keeps the sign of zero (-0.00m) but ToString drops it; Python prints it.
        var negative = decimal.IsNegative(value);
        var text = value.ToString(CultureInfo.InvariantCulture).TrimStart('-');

        var point = text.IndexOf('.', StringComparison.Ordinal);
        var exponent = point < 0 ? 0 : -(text.Length - point - 1);
        var coefficient = (point < 0 ? text : text.Remove(point, 1)).TrimStart('0');
        if (coefficient.Length == 0)
        {
            coefficient = "0";
        }

        var leftDigits = exponent + coefficient.Length;
        var dotPlace = exponent <= 0 && leftDigits > -6 ? leftDigits : 1;
        string integerPart;
        var fractionPart = string.Empty;
        if (dotPlace <= 0)
        {
            integerPart = "0";
            fractionPart = "." + new string('0', -dotPlace) + coefficient;
        }
        else if (dotPlace >= coefficient.Length)
        {
            integerPart = coefficient + new string('0', dotPlace - coefficient.Length);
        }
        else
        {
            integerPart = coefficient[..dotPlace];
            fractionPart = "." + coefficient[dotPlace..];
        }

        var exponentPart = leftDigits == dotPlace
            ? string.Empty
            : "E" + (leftDigits - dotPlace).ToString("+0;-0", CultureInfo.InvariantCulture);
        return (negative ? "-" : string.Empty) + integerPart + fractionPart + exponentPart;
    }

    // Splits .NET's shortest text ("1.5E+300", "0.0001", "123.45") into significant digits and a power of ten.
    private static (string Digits, int Exponent) DigitsAndExponent(string text)
    {
        var exponent = 0;
        var e = text.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            exponent -= text.Length - dot - 1;
            text = text.Remove(dot, 1);
        }

        var digits = text.TrimStart('0');
        if (digits.Length == 0)
        {
            return ("0", 0);
        }

        var trimmed = digits.TrimEnd('0');
        exponent += digits.Length - trimmed.Length;
        return (trimmed, exponent);
    }
}
