namespace Mantle.KeyBroker.Internal.Storage;

/// <summary>Schema migrations, in order; entry i brings the schema from version i to i + 1.</summary>
internal static class Schema
{
    public static IReadOnlyList<string[]> Migrations(string blobType) =>
    [
        [
            "CREATE TABLE sessions (id TEXT PRIMARY KEY, tee TEXT NOT NULL, nonce TEXT NOT NULL, nonce_expires BIGINT NOT NULL, " +
            "nonce_used BIGINT NOT NULL, expires BIGINT NOT NULL, attested_jkt TEXT NULL, tee_jwk TEXT NULL, claims TEXT NULL, attested_until BIGINT NULL)",
            "CREATE INDEX sessions_expires ON sessions (expires)",
            $"CREATE TABLE resources (path TEXT NOT NULL, version BIGINT NOT NULL, state TEXT NOT NULL, size BIGINT NOT NULL, created BIGINT NOT NULL, ciphertext {blobType} NOT NULL, PRIMARY KEY (path, version))",
            "CREATE TABLE policies (name TEXT PRIMARY KEY, document TEXT NOT NULL, updated BIGINT NOT NULL)",
            "CREATE TABLE audit (seq BIGINT PRIMARY KEY, time TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL, " +
            "outcome TEXT NOT NULL, details TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)",
        ],
    ];
}
