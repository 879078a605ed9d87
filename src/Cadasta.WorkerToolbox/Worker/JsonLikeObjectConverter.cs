using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cadasta.WorkerToolbox.Worker;

/// <summary>
/// Reads JSON into <c>object</c>-typed members as JSON-like CLR values (null, bool, long, double,
/// string, <c>List&lt;object?&gt;</c>, <c>Dictionary&lt;string, object?&gt;</c>) instead of
/// <see cref="JsonElement"/>, so a task's <c>Dictionary&lt;string, object?&gt;</c> parameter holds plain values.
/// </summary>
internal sealed class JsonLikeObjectConverter : JsonConverter<object>
{
    public override object? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.True:
                return true;
            case JsonTokenType.False:
                return false;
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number:
                return reader.TryGetInt64(out var whole) ? whole : (object)reader.GetDouble();
            case JsonTokenType.StartArray:
                var list = new List<object?>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    list.Add(Read(ref reader, typeof(object), options));
                }

                return list;
            case JsonTokenType.StartObject:
                var dictionary = new Dictionary<string, object?>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var name = reader.GetString()!;
                    reader.Read();
                    dictionary[name] = Read(ref reader, typeof(object), options);
                }

                return dictionary;
            default:
                throw new JsonException($"Unexpected JSON token {reader.TokenType}.");
        }
    }

    public override void Write(Utf8JsonWriter writer, object value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        JsonSerializer.Serialize(writer, value, value.GetType(), options);
    }
}
