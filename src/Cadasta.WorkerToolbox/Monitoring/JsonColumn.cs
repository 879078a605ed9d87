using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>
/// Turns JSON-like values into the JSON text of the record table's <c>input</c> and <c>options</c>
/// columns and back. Writing never fails on a value a transport may carry: values outside the JSON-like
/// set (timestamps, bytes, decimals, NaN) get their nearest JSON form, so one odd property cannot make a
/// record unwritable.
/// </summary>
internal static class JsonColumn
{
    public static string Write(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteValue(writer, value, depth: 0);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static object? Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return ToValue(document.RootElement);
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value, int depth)
    {
        // Deep nesting only comes from a hostile or broken producer; cut it rather than overflow.
        if (depth > 64)
        {
            writer.WriteStringValue("...");
            return;
        }

        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case long or int or short or sbyte or byte or ushort or uint:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong unsigned:
                writer.WriteNumberValue(unsigned);
                break;
            case double or float:
                var number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (double.IsFinite(number))
                {
                    writer.WriteNumberValue(number);
                }
                else
                {
                    writer.WriteStringValue(number.ToString(CultureInfo.InvariantCulture));
                }

                break;
            case decimal money:
                writer.WriteNumberValue(money);
                break;
            case DateTimeOffset moment:
                writer.WriteStringValue(moment.ToString("O", CultureInfo.InvariantCulture));
                break;
            case DateTime moment:
                writer.WriteStringValue(moment.ToString("O", CultureInfo.InvariantCulture));
                break;
            case byte[] bytes:
                WriteBytes(writer, bytes);
                break;
            case ReadOnlyMemory<byte> memory:
                WriteBytes(writer, memory.ToArray());
                break;
            case IReadOnlyDictionary<string, object?> map:
                writer.WriteStartObject();
                foreach (var (key, item) in map)
                {
                    writer.WritePropertyName(key);
                    WriteValue(writer, item, depth + 1);
                }

                writer.WriteEndObject();
                break;
            case IDictionary map:
                writer.WriteStartObject();
                foreach (DictionaryEntry entry in map)
                {
                    writer.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty);
                    WriteValue(writer, entry.Value, depth + 1);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    WriteValue(writer, item, depth + 1);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static void WriteBytes(Utf8JsonWriter writer, byte[] bytes)
    {
        // AMQP header values arrive as bytes (long strings); they are text in practice.
        try
        {
            writer.WriteStringValue(new UTF8Encoding(false, true).GetString(bytes));
        }
        catch (DecoderFallbackException)
        {
            writer.WriteBase64StringValue(bytes);
        }
    }

    private static object? ToValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var whole) ? whole : (object)element.GetDouble(),
        JsonValueKind.Array => element.EnumerateArray().Select(ToValue).ToList(),
        _ => element.EnumerateObject().ToDictionary(property => property.Name, property => ToValue(property.Value), StringComparer.Ordinal),
    };
}
