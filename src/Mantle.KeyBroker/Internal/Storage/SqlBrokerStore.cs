using System.Data.Common;
using System.Globalization;

namespace Mantle.KeyBroker.Internal.Storage;

/// <summary>
/// The SQL shared by both databases. Every write runs in one transaction that also appends its audit
/// entry, under a lock that serializes writers across processes, so an acknowledged write and its audit
/// entry are both durable or both absent.
/// </summary>
internal abstract partial class SqlBrokerStore : IBrokerStore
{
    private readonly TimeProvider _time;

    protected SqlBrokerStore(TimeProvider time) => _time = time;

    public abstract string Kind { get; }

    protected abstract string BlobType { get; }

    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Starts a transaction that holds the cross-process writer lock.</summary>
    protected abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = await BeginWriteAsync(connection, cancellationToken);
        // Under the writer lock: PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against itself, so brokers
        // starting together on an empty database would otherwise race on the first table.
        await ExecuteAsync(connection, tx, "CREATE TABLE IF NOT EXISTS schema_versions (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)", cancellationToken);
        var current = Convert.ToInt64(await ScalarAsync(connection, tx, "SELECT COALESCE(MAX(version), 0) FROM schema_versions", cancellationToken), CultureInfo.InvariantCulture);
        var migrations = Schema.Migrations(BlobType);
        for (var i = (int)current; i < migrations.Count; i++)
        {
            foreach (var statement in migrations[i])
            {
                await ExecuteAsync(connection, tx, statement, cancellationToken);
            }

            await ExecuteAsync(connection, tx, "INSERT INTO schema_versions (version, applied_at) VALUES (@v, @t)", cancellationToken,
                ("v", (long)(i + 1)), ("t", _time.GetUtcNow().ToUnixTimeMilliseconds()));
        }

        await tx.CommitAsync(cancellationToken);
    }

    public async Task CreateSessionAsync(SessionRecord session, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null,
            "INSERT INTO sessions (id, tee, nonce, nonce_expires, nonce_used, expires) VALUES (@id, @tee, @nonce, @ne, 0, @exp)",
            cancellationToken, ("id", session.Id), ("tee", session.Tee), ("nonce", session.Nonce), ("ne", session.NonceExpiresMs), ("exp", session.ExpiresMs));
    }

    public async Task<SessionRecord?> GetSessionAsync(string id, long nowMs, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = Command(connection, null,
            "SELECT id, tee, nonce, nonce_expires, nonce_used, expires, attested_jkt, tee_jwk, claims, attested_until FROM sessions WHERE id = @id",
            ("id", id));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new SessionRecord(
            reader.GetString(0), reader.GetString(1), reader.GetString(2), Long(reader, 3), Long(reader, 4) != 0, Long(reader, 5),
            NullableString(reader, 6), NullableString(reader, 7), NullableString(reader, 8), reader.IsDBNull(9) ? null : Long(reader, 9));
    }

    public async Task<NonceConsumption> ConsumeNonceAsync(string sessionId, long nowMs, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using (var cmd = Command(connection, null,
            "UPDATE sessions SET nonce_used = 1 WHERE id = @id AND nonce_used = 0 RETURNING nonce, nonce_expires, tee, expires", ("id", sessionId)))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                var nonce = reader.GetString(0);
                var nonceExpires = Long(reader, 1);
                var tee = reader.GetString(2);
                var expires = Long(reader, 3);
                if (expires <= nowMs)
                {
                    return new NonceConsumption(NonceOutcome.SessionExpired, null, tee);
                }

                return nonceExpires <= nowMs
                    ? new NonceConsumption(NonceOutcome.Expired, null, tee)
                    : new NonceConsumption(NonceOutcome.Ok, nonce, tee);
            }
        }

        var existing = await ScalarAsync(connection, null, "SELECT tee FROM sessions WHERE id = @id", cancellationToken, ("id", sessionId));
        return existing is null
            ? new NonceConsumption(NonceOutcome.UnknownSession, null, null)
            : new NonceConsumption(NonceOutcome.AlreadyUsed, null, (string)existing);
    }

    public async Task MarkAttestedAsync(string sessionId, string jkt, string teeJwk, string claims, long untilMs, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null,
            "UPDATE sessions SET attested_jkt = @jkt, tee_jwk = @jwk, claims = @claims, attested_until = @until, expires = @until WHERE id = @id",
            cancellationToken, ("jkt", jkt), ("jwk", teeJwk), ("claims", claims), ("until", untilMs), ("id", sessionId));
    }

    public async Task<int> DeleteExpiredSessionsAsync(long nowMs, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = Command(connection, null, "DELETE FROM sessions WHERE expires <= @now", ("now", nowMs));
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    protected static DbCommand Command(DbConnection connection, DbTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in parameters)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = "@" + name;
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }

        return cmd;
    }

    protected static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var cmd = Command(connection, tx, sql, parameters);
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    protected static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var cmd = Command(connection, tx, sql, parameters);
        var value = await cmd.ExecuteScalarAsync(cancellationToken);
        return value is DBNull ? null : value;
    }

    protected static long Long(DbDataReader reader, int ordinal) => Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private string NowText() => _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
