using System.Data.Common;
using System.Globalization;

namespace Mantle.KeyBroker.Internal.Storage;

internal abstract partial class SqlBrokerStore
{
    public async Task<ResourceWriteResult> WriteResourceAsync(string path, ResourceWriteMode mode, long size, long nowMs, Func<long, byte[]> seal, string? policy, AuditDraft audit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = await BeginWriteAsync(connection, cancellationToken);
        var max = Convert.ToInt64(await ScalarAsync(connection, tx, "SELECT COALESCE(MAX(version), 0) FROM resources WHERE path = @p", cancellationToken, ("p", path)), CultureInfo.InvariantCulture);
        if (mode == ResourceWriteMode.Create && max > 0)
        {
            return new ResourceWriteResult(ResourceWriteStatus.AlreadyExists, max);
        }

        if (mode == ResourceWriteMode.Rotate && max == 0)
        {
            return new ResourceWriteResult(ResourceWriteStatus.NotFound, 0);
        }

        var version = max + 1;
        await ExecuteAsync(connection, tx, "UPDATE resources SET state = 'retired' WHERE path = @p AND state = 'active'", cancellationToken, ("p", path));
        await ExecuteAsync(connection, tx,
            "INSERT INTO resources (path, version, state, size, created, ciphertext) VALUES (@p, @v, 'active', @s, @c, @b)",
            cancellationToken, ("p", path), ("v", version), ("s", size), ("c", nowMs), ("b", seal(version)));
        if (policy is not null)
        {
            await ExecuteAsync(connection, tx, "DELETE FROM policies WHERE name = @n", cancellationToken, ("n", "resource:" + path));
            await ExecuteAsync(connection, tx, "INSERT INTO policies (name, document, updated) VALUES (@n, @d, @u)", cancellationToken,
                ("n", "resource:" + path), ("d", policy), ("u", nowMs));
        }

        await AppendAuditCoreAsync(connection, tx, audit with { Details = $"version={version}; size={size}; policy={(policy is null ? "unchanged" : "set")}; {audit.Details}".TrimEnd(' ', ';') }, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new ResourceWriteResult(ResourceWriteStatus.Written, version);
    }

    public async Task<int> RevokeResourceAsync(string path, AuditDraft audit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = await BeginWriteAsync(connection, cancellationToken);
        var count = await ExecuteAsync(connection, tx, "UPDATE resources SET state = 'revoked' WHERE path = @p AND state <> 'revoked'", cancellationToken, ("p", path));
        if (count == 0)
        {
            return 0;
        }

        await AppendAuditCoreAsync(connection, tx, audit with { Details = $"versions revoked={count}" }, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return count;
    }

    public async Task<IReadOnlyList<ResourceInfo>> ListResourcesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = Command(connection, null,
            "SELECT r.path, r.version, r.state, r.size, r.created, CASE WHEN p.name IS NULL THEN 0 ELSE 1 END FROM resources r " +
            "LEFT JOIN policies p ON p.name = 'resource:' || r.path ORDER BY r.path, r.version");
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<ResourceInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new ResourceInfo(reader.GetString(0), Long(reader, 1), reader.GetString(2), Long(reader, 3),
                DateTimeOffset.FromUnixTimeMilliseconds(Long(reader, 4)), Long(reader, 5) != 0));
        }

        return list;
    }

    public async Task<StoredResource?> GetCurrentResourceAsync(string path, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = Command(connection, null,
            "SELECT version, state, ciphertext FROM resources WHERE path = @p AND state <> 'retired' ORDER BY version DESC LIMIT 1", ("p", path));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new StoredResource(path, Long(reader, 0), reader.GetString(1), (byte[])reader.GetValue(2));
    }

    public async Task SetPolicyAsync(string name, string? document, long nowMs, AuditDraft audit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = await BeginWriteAsync(connection, cancellationToken);
        await ExecuteAsync(connection, tx, "DELETE FROM policies WHERE name = @n", cancellationToken, ("n", name));
        if (document is not null)
        {
            await ExecuteAsync(connection, tx, "INSERT INTO policies (name, document, updated) VALUES (@n, @d, @u)", cancellationToken,
                ("n", name), ("d", document), ("u", nowMs));
        }

        await AppendAuditCoreAsync(connection, tx, audit, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    public async Task<string?> GetPolicyAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (string?)await ScalarAsync(connection, null, "SELECT document FROM policies WHERE name = @n", cancellationToken, ("n", name));
    }

    public async Task<AuditEntry> AppendAuditAsync(AuditDraft draft, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = await BeginWriteAsync(connection, cancellationToken);
        var entry = await AppendAuditCoreAsync(connection, tx, draft, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return entry;
    }

    public async Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(long afterSeq, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = Command(connection, null,
            "SELECT seq, time, actor, action, subject, outcome, details, prev_hash, hash FROM audit WHERE seq > @after ORDER BY seq LIMIT @limit",
            ("after", afterSeq), ("limit", (long)limit));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<AuditEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new AuditEntry(Long(reader, 0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetString(8)));
        }

        return list;
    }

    private async Task<AuditEntry> AppendAuditCoreAsync(DbConnection connection, DbTransaction tx, AuditDraft draft, CancellationToken cancellationToken)
    {
        long lastSeq = 0;
        var prevHash = AuditChain.GenesisHash;
        await using (var cmd = Command(connection, tx, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                lastSeq = Long(reader, 0);
                prevHash = reader.GetString(1);
            }
        }

        var seq = lastSeq + 1;
        var time = NowText();
        var hash = AuditChain.ComputeHash(prevHash, seq, time, draft.Actor, draft.Action, draft.Subject, draft.Outcome, draft.Details);
        await ExecuteAsync(connection, tx,
            "INSERT INTO audit (seq, time, actor, action, subject, outcome, details, prev_hash, hash) VALUES (@seq, @time, @actor, @action, @subject, @outcome, @details, @prev, @hash)",
            cancellationToken, ("seq", seq), ("time", time), ("actor", draft.Actor), ("action", draft.Action), ("subject", draft.Subject),
            ("outcome", draft.Outcome), ("details", draft.Details), ("prev", prevHash), ("hash", hash));
        return new AuditEntry(seq, time, draft.Actor, draft.Action, draft.Subject, draft.Outcome, draft.Details, prevHash, hash);
    }
}
