namespace Mantle.KeyBroker.Client;

/// <summary>Options of <see cref="BrokerAdminClient"/>.</summary>
public sealed class BrokerAdminClientOptions
{
    /// <summary>Overrides the broker URL of the credential. Defaults to null (use the credential's).</summary>
    public string? BrokerUrl { get; set; }

    /// <summary>Authenticate with the admin client certificate (mTLS) instead of a bearer token. Defaults to false.</summary>
    public bool UseClientCertificate { get; set; }

    /// <summary>Per-request timeout. Defaults to 30 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock for bearer token times. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
