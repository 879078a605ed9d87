namespace Cadasta.WorkerToolbox.Transports.Amqp;

/// <summary>Timing and sizing of the AMQP transport; the defaults suit production, tests shorten them.</summary>
internal sealed record AmqpTransportSettings
{
    /// <summary>
    /// How many publishes may wait for their broker confirmation at once. Measured on this kind of
    /// machine: one at a time ≈ 700 msg/s (one fsync-bound round trip each), 256 ≈ 8,000 msg/s.
    /// </summary>
    public int PublishWindow { get; init; } = 256;

    /// <summary>How long a publish keeps retrying while the connection is down before it fails.</summary>
    public TimeSpan PublishRetryTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The pause between two publish attempts while the connection is down.</summary>
    public TimeSpan PublishRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How many times a publish is tried when the broker closed the channel (not the connection).</summary>
    public int MaxChannelErrorAttempts { get; init; } = 3;

    /// <summary>How long the first connection is retried (with doubling pauses) before it fails.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The first pause between two first-connection attempts; it doubles up to <see cref="MaxConnectDelay"/>.</summary>
    public TimeSpan InitialConnectDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest pause between two first-connection attempts.</summary>
    public TimeSpan MaxConnectDelay { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>The pause between two attempts of RabbitMQ.Client's automatic recovery after a lost connection.</summary>
    public TimeSpan NetworkRecoveryInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>TLS from <c>broker_use_ssl</c> (an <c>amqps://</c> URL turns TLS on by itself).</summary>
    public AmqpTlsOptions Tls { get; init; } = AmqpTlsOptions.None;

    /// <summary>The AMQP heartbeat requested from the broker (RabbitMQ.Client's default).</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(60);
}
