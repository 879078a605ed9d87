namespace Cadasta.WorkerToolbox.Transports.Sqs;

/// <summary>A decoded SQS message body.</summary>
/// <param name="Message">The message as the publisher gave it (transport bookkeeping removed from its properties).</param>
/// <param name="Exchange">The exchange from <c>properties.delivery_info</c> ("" for foreign payloads).</param>
/// <param name="RoutingKey">The routing key from <c>properties.delivery_info</c>.</param>
/// <param name="DeliveryTag">kombu's publish tag, if any.</param>
/// <param name="IsForeign">The payload was not a kombu envelope; its whole text is the body.</param>
internal sealed record SqsDecodedEnvelope(TransportMessage Message, string Exchange, string RoutingKey, string? DeliveryTag, bool IsForeign);
