using System.Globalization;
using System.Numerics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text;
using Cadasta.WorkerToolbox.Python;
using Cadasta.WorkerToolbox.Routing;

namespace Cadasta.WorkerToolbox.Configuration;

/// <summary>
/// Writes settings as one indented JSON object: tuples and sets as arrays, floats as Python
/// writes them (<c>1.0</c>), queue declarations as <c>{name, exchange, exchange_type, routing_key}</c>,
/// routers as their description, values JSON cannot hold (bytes, complex, infinities) as their repr.
/// </summary>
internal static class ConfigJsonWriter
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // console output: keep quotes and '+' readable
    };

    public static string Write(IEnumerable<KeyValuePair<string, object?>> entries)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, Options))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in entries)
            {
                writer.WritePropertyName(name);
                WriteValue(writer, value);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case BigInteger big:
                writer.WriteRawValue(big.ToString(CultureInfo.InvariantCulture));
                break;
            case double d when double.IsFinite(d):
                writer.WriteRawValue(PythonFloat.Repr(d));
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case QueueDeclaration queue:
                writer.WriteStartObject();
                writer.WriteString("name", queue.Name);
                writer.WriteString("exchange", queue.Exchange.Name);
                writer.WriteString("exchange_type", queue.Exchange.Type);
                writer.WriteString("routing_key", queue.RoutingKey);
                writer.WriteEndObject();
                break;
            case ITaskRouter router:
                writer.WriteStringValue(router.Description);
                break;
            case IReadOnlyDictionary<string, object?> dictionary:
                writer.WriteStartObject();
                foreach (var (key, item) in dictionary)
                {
                    writer.WritePropertyName(key);
                    WriteValue(writer, item);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable<object?> items:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(PythonRepr.Repr(value));
                break;
        }
    }
}
