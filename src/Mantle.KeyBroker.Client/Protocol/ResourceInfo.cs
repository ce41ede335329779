namespace Mantle.KeyBroker;

/// <summary>Metadata of one stored resource version (never its bytes).</summary>
/// <param name="Path">The resource path <c>repo/type/tag</c>.</param>
/// <param name="Version">The version number, from 1.</param>
/// <param name="State"><c>active</c> (released), <c>retired</c> (replaced by a rotation, kept for audit) or <c>revoked</c>.</param>
/// <param name="Size">Plaintext size in bytes.</param>
/// <param name="CreatedAt">When the version was stored (UTC).</param>
/// <param name="HasPolicy">True when the resource has its own release policy; otherwise the default policy applies.</param>
public sealed record ResourceInfo(string Path, long Version, string State, long Size, DateTimeOffset CreatedAt, bool HasPolicy);
