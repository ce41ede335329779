namespace Mantle.KeyBroker;

/// <summary>Settings of the key broker (configuration section <c>KeyBroker</c>).</summary>
public sealed class KeyBrokerOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "KeyBroker";

    /// <summary>
    /// The folder made by <c>mantle broker init</c>: CA, token signing key, admin public key, master key
    /// file, TLS certificate. Required.
    /// </summary>
    public string ConfigDirectory { get; set; } = "";

    /// <summary>
    /// Storage: <c>sqlite:PATH</c> or <c>postgres:CONNECTION STRING</c>. Defaults to
    /// <c>sqlite:&lt;ConfigDirectory&gt;/broker.db</c>.
    /// </summary>
    public string? Database { get; set; }

    /// <summary>How long a nonce from <c>/kbs/v0/auth</c> can be used. Defaults to 60 seconds.</summary>
    public TimeSpan NonceLifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long an attestation token (and the attested session) is valid. Defaults to 5 minutes.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an issued server certificate is valid. Defaults to 24 hours.</summary>
    public TimeSpan CertificateLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The longest lifetime (exp − iat) accepted for an admin bearer token. Defaults to 15 minutes.</summary>
    public TimeSpan AdminTokenMaxLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Requests to <c>/kbs/v0/auth</c> and <c>/kbs/v0/attest</c> allowed per client IP address per <see cref="RateLimitWindow"/>. Defaults to 120.</summary>
    public int RateLimitPermits { get; set; } = 120;

    /// <summary>The window of the per-IP rate limit. Defaults to 10 seconds.</summary>
    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The <c>iss</c> claim of attestation tokens. Defaults to <c>mantle-broker</c>.</summary>
    public string Issuer { get; set; } = "mantle-broker";

    /// <summary>Largest resource accepted by the admin API, in bytes. Defaults to 1 MiB.</summary>
    public int MaxResourceSize { get; set; } = 1024 * 1024;

    /// <summary>The database location after applying the default.</summary>
    internal string EffectiveDatabase =>
        string.IsNullOrWhiteSpace(Database) ? "sqlite:" + Path.Combine(ConfigDirectory, "broker.db") : Database;
}
