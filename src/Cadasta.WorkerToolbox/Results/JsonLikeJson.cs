using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Cadasta.WorkerToolbox.Python;

namespace Cadasta.WorkerToolbox.Results;

/// <summary>JSON text of JSON-like values and back (args/kwargs columns, the CLI's <c>--json</c>).</summary>
internal static class JsonLikeJson
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Serialize(object? value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, Options))
        {
            Write(writer, value);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes a value; <paramref name="substitute"/>, when given, first replaces what needs another form (its result is written as it is).</summary>
    public static void Write(Utf8JsonWriter writer, object? value, Func<object, object?>? substitute = null)
    {
        if (value is not null && substitute is not null)
        {
            var replacement = substitute(value);
            if (!ReferenceEquals(replacement, value))
            {
                Write(writer, replacement);
                return;
            }
        }

        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case long or int or short or sbyte or byte or ushort or uint or ulong or BigInteger or decimal:
                writer.WriteRawValue(Convert.ToString(value, CultureInfo.InvariantCulture)!);
                break;
            case double number:
                WriteDouble(writer, number);
                break;
            case float number:
                WriteDouble(writer, number);
                break;
            case DateTime moment:
                writer.WriteStringValue(moment.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture));
                break;
            case DateTimeOffset moment:
                writer.WriteStringValue(moment.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFzzz", CultureInfo.InvariantCulture));
                break;
            case TimeSpan span:
                writer.WriteNumberValue(span.TotalSeconds);
                break;
            case byte[] bytes:
                writer.WriteBase64StringValue(bytes);
                break;
            case IDictionary dictionary:
                writer.WriteStartObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    writer.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty);
                    Write(writer, entry.Value, substitute);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                writer.WriteStartObject();
                foreach (var pair in pairs)
                {
                    writer.WritePropertyName(pair.Key);
                    Write(writer, pair.Value, substitute);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    Write(writer, item, substitute);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    public static object? FromElement(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var whole) ? (object)whole : element.GetDouble(),
        JsonValueKind.Array => element.EnumerateArray().Select(FromElement).ToList(),
        _ => element.EnumerateObject().ToDictionary(property => property.Name, property => FromElement(property.Value), StringComparer.Ordinal),
    };

    // Python's json writes floats as their repr and NaN/Infinity as literals; Utf8JsonWriter refuses those, so they go raw.
    private static void WriteDouble(Utf8JsonWriter writer, double number) =>
        writer.WriteRawValue(PythonJson.FloatText(number), skipInputValidation: !double.IsFinite(number));
}
