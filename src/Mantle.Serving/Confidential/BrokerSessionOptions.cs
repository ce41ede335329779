namespace Mantle.Serving.Confidential;

/// <summary>Where the key broker is and how long to keep trying it.</summary>
public sealed class BrokerSessionOptions
{
    /// <summary>The broker's base URL (<c>--broker</c>).</summary>
    public required Uri BrokerUrl { get; init; }

    /// <summary>The broker CA (PEM, <c>--broker-ca</c>) that the broker's TLS certificate must chain to; null for the system trust store or plain HTTP.</summary>
    public string? BrokerCaPem { get; init; }

    /// <summary>
    /// How long an unreachable broker (connection refused, timeouts, 5xx, 429) is retried, with exponential backoff,
    /// before the operation fails (<c>--broker-timeout</c>). Defaults to 60 seconds.
    /// </summary>
    public TimeSpan RetryFor { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The attestation token is renewed (a fresh attestation) this long before it expires. Defaults to 30 seconds.</summary>
    public TimeSpan TokenRenewalMargin { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
