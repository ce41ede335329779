namespace Mantle.KeyBroker.Internal.Storage;

/// <summary>Everything the broker keeps: sessions and nonces, resources, policies, the audit log.</summary>
internal interface IBrokerStore
{
    string Kind { get; }

    Task MigrateAsync(CancellationToken cancellationToken);

    Task CreateSessionAsync(SessionRecord session, CancellationToken cancellationToken);

    Task<SessionRecord?> GetSessionAsync(string id, long nowMs, CancellationToken cancellationToken);

    /// <summary>Marks the session's nonce used, atomically across processes, and says whether it was usable.</summary>
    Task<NonceConsumption> ConsumeNonceAsync(string sessionId, long nowMs, CancellationToken cancellationToken);

    Task MarkAttestedAsync(string sessionId, string jkt, string teeJwk, string claims, long untilMs, CancellationToken cancellationToken);

    Task<ResourceWriteResult> WriteResourceAsync(string path, ResourceWriteMode mode, long size, long nowMs, Func<long, byte[]> seal, string? policy, AuditDraft audit, CancellationToken cancellationToken);

    Task<int> RevokeResourceAsync(string path, AuditDraft audit, CancellationToken cancellationToken);

    Task<IReadOnlyList<ResourceInfo>> ListResourcesAsync(CancellationToken cancellationToken);

    /// <summary>The newest version of a resource (active, or revoked if all versions are revoked); null when unknown.</summary>
    Task<StoredResource?> GetCurrentResourceAsync(string path, CancellationToken cancellationToken);

    Task SetPolicyAsync(string name, string? document, long nowMs, AuditDraft audit, CancellationToken cancellationToken);

    Task<string?> GetPolicyAsync(string name, CancellationToken cancellationToken);

    Task<AuditEntry> AppendAuditAsync(AuditDraft draft, CancellationToken cancellationToken);

    Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(long afterSeq, int limit, CancellationToken cancellationToken);

    Task<int> DeleteExpiredSessionsAsync(long nowMs, CancellationToken cancellationToken);
}
