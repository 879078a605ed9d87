using System.Numerics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text;
using Cadasta.WorkerToolbox.Python;
using Cadasta.WorkerToolbox.Results;
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
                JsonLikeJson.Write(writer, value, ConfigForm);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    // What JSON cannot hold as it is: queue declarations become objects, routers their description,
    // values JSON has no form for (bytes, complex, infinities) their repr; the rest is written as it is.
    private static object? ConfigForm(object value) => value switch
    {
        QueueDeclaration queue => new OrderedDictionary<string, object?>
        {
            ["name"] = queue.Name,
            ["exchange"] = queue.Exchange.Name,
            ["exchange_type"] = queue.Exchange.Type,
            ["routing_key"] = queue.RoutingKey,
        },
        ITaskRouter router => router.Description,
        bool or long or BigInteger or string or IReadOnlyDictionary<string, object?> or IEnumerable<object?> => value,
        double number when double.IsFinite(number) => value,
        _ => PythonRepr.Repr(value),
    };
}
