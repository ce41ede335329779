namespace Mantle.KeyBroker.Internal.Storage;

internal sealed record SessionRecord(
    string Id,
    string Tee,
    string Nonce,
    long NonceExpiresMs,
    bool NonceUsed,
    long ExpiresMs,
    string? AttestedJkt,
    string? TeeJwk,
    string? Claims,
    long? AttestedUntilMs);

internal enum NonceOutcome
{
    Ok,
    UnknownSession,
    SessionExpired,
    AlreadyUsed,
    Expired,
}

internal sealed record NonceConsumption(NonceOutcome Outcome, string? Nonce, string? Tee);

internal sealed record AuditDraft(string Actor, string Action, string Subject, string Outcome, string Details);

internal enum ResourceWriteMode
{
    Create,
    Rotate,
}

internal enum ResourceWriteStatus
{
    Written,
    AlreadyExists,
    NotFound,
}

internal sealed record ResourceWriteResult(ResourceWriteStatus Status, long Version);

internal sealed record StoredResource(string Path, long Version, string State, byte[] Ciphertext);
