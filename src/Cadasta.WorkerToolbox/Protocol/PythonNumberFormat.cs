using System.Globalization;
using System.Text;

namespace Cadasta.WorkerToolbox.Protocol;

/// <summary>Numbers printed exactly as CPython prints them (float repr, Decimal str).</summary>
internal static class PythonNumberFormat
{
    /// <summary>
    /// <c>repr(float)</c>: the shortest digits that round-trip, fixed notation when the decimal
    /// point lies between 10^-4 and 10^16 (with a trailing <c>.0</c>), scientific otherwise
    /// (<c>1e+16</c>, <c>1e-07</c>). NaN and infinities print as <c>nan</c>, <c>inf</c>, <c>-inf</c>.
    /// </summary>
    public static string FloatRepr(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        var negative = double.IsNegative(value);
        // .NET Core 3.0+ "R" gives the shortest round-trip digits, like Python's repr.
        var text = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var exponent = 0;
        var e = text.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }

        var point = text.IndexOf('.', StringComparison.Ordinal);
        var digits = point < 0 ? text : text.Remove(point, 1);
        var decimalPoint = (point < 0 ? text.Length : point) + exponent;
        var leading = 0;
        while (leading < digits.Length && digits[leading] == '0')
        {
            leading++;
        }

        digits = digits[leading..].TrimEnd('0');
        decimalPoint -= leading;
        var sign = negative ? "-" : string.Empty;
        if (digits.Length == 0)
        {
            return sign + "0.0";
        }

        var builder = new StringBuilder(sign);
        if (decimalPoint <= -4 || decimalPoint > 16)
        {
            builder.Append(digits[0]);
            if (digits.Length > 1)
            {
                builder.Append('.').Append(digits, 1, digits.Length - 1);
            }

            var exp = decimalPoint - 1;
            builder.Append('e').Append(exp < 0 ? '-' : '+').Append(Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (decimalPoint <= 0)
        {
            builder.Append("0.").Append('0', -decimalPoint).Append(digits);
        }
        else if (decimalPoint >= digits.Length)
        {
            builder.Append(digits).Append('0', decimalPoint - digits.Length).Append(".0");
        }
        else
        {
            builder.Append(digits, 0, decimalPoint).Append('.').Append(digits, decimalPoint, digits.Length - decimalPoint);
        }

        return builder.ToString();
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
}
