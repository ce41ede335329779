namespace Mantle.Attestation.RaTls;

/// <summary>Options of <see cref="RaTlsCertificate.CreateAsync"/>.</summary>
public sealed class RaTlsCertificateOptions
{
    /// <summary>The subject (and issuer) distinguished name. Defaults to <c>CN=mantle-ratls</c>.</summary>
    public string SubjectName { get; set; } = "CN=mantle-ratls";

    /// <summary>DNS names for the subject alternative name extension. Defaults to none.</summary>
    public IList<string> DnsNames { get; } = [];

    /// <summary>The key's curve size in bits: 384 (P-384) or 256 (P-256). Defaults to 384.</summary>
    public int KeySize { get; set; } = 384;

    /// <summary>How long the certificate is valid, from one minute before creation. Defaults to 30 days.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>An optional <c>nonce</c> claim (pre-session freshness), put in the claims next to <c>pubkey-hash</c>. Defaults to none.</summary>
    public byte[]? Nonce { get; set; }

    /// <summary>The clock for the validity period. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
