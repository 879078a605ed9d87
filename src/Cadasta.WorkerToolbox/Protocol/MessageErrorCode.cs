namespace Cadasta.WorkerToolbox.Protocol;

/// <summary>Why a broker message is not a task message.</summary>
public enum MessageErrorCode
{
    /// <summary>The content type is not <c>application/json</c> (we never deserialize anything else).</summary>
    ContentTypeNotAccepted = 1,

    /// <summary>The content type is pickle: refused, never deserialized.</summary>
    PickleRefused,

    /// <summary>The content encoding is not UTF-8.</summary>
    ContentEncodingNotSupported,

    /// <summary>The body bytes are not valid UTF-8.</summary>
    InvalidUtf8,

    /// <summary>The body is not JSON.</summary>
    BodyNotJson,

    /// <summary>The body is neither a protocol 2 array <c>[args, kwargs, embed]</c> nor a protocol 1 object.</summary>
    BodyNotTask,

    /// <summary><c>args</c> is not a list.</summary>
    ArgsNotList,

    /// <summary><c>kwargs</c> is not an object.</summary>
    KwargsNotObject,

    /// <summary><c>embed</c> (or a signature inside it) is malformed.</summary>
    EmbedMalformed,

    /// <summary>A required header (or v1 body field) is missing: <c>task</c>, <c>id</c>.</summary>
    MissingField,

    /// <summary>A header, property or v1 body field has the wrong JSON type.</summary>
    WrongFieldType,

    /// <summary><c>eta</c> or <c>expires</c> is not an ISO 8601 timestamp.</summary>
    InvalidTimestamp,
}
