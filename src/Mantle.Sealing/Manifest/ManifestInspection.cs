namespace Mantle.Sealing.Manifest;

/// <summary>A manifest read without checking its signature (for <c>mantle inspect</c>): nothing in it is trusted yet.</summary>
public sealed class ManifestInspection
{
    /// <summary>The manifest as written, unverified.</summary>
    public required SealedModelManifest Manifest { get; init; }

    /// <summary>The <c>kid</c> of the signature: the RFC 7638 thumbprint of the key that claims to have signed it.</summary>
    public required string SignerKeyId { get; init; }

    /// <summary>The JWS algorithm named in the signature header (ES384 for a valid manifest).</summary>
    public required string Algorithm { get; init; }
}
