using System.Security.Cryptography;
using System.Text;
using Mantle.KeyBroker.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Mantle.KeyBroker.Tests.Storage;

public sealed class SecretsTests
{
    [Fact]
    public async Task Logs_FullFlowAndRefusals_ContainNoSecrets()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var secret = RandomNumberGenerator.GetBytes(32);
        await admin.PutResourceAsync("repo/key/s", secret, TestBroker.SimPolicy);
        await admin.PutResourceAsync("repo/key/strict", secret, Sim.MeasurementPolicy);
        using var attester = broker.Attester();
        var token = await attester.AttestAsync(broker.Evidence(Sim.GoodMeasurement));
        var jwe = await attester.GetResourceJweAsync("repo/key/s");
        using var refused = broker.Attester();
        await refused.AttestAsync(broker.Evidence(Sim.OtherMeasurement));
        await Assert.ThrowsAsync<Mantle.KeyBroker.Client.KeyBrokerException>(() => refused.GetResourceAsync("repo/key/strict"));
        using var http = broker.Http();
        await http.PostAsync("/kbs/v0/attest", new StringContent("{\"tee-pubkey\": {\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"SECRETX\"}", Encoding.UTF8, "application/json"));

        var masterKey = File.ReadAllText(Path.Combine(broker.Directory, "master.key")).Trim();
        var logs = broker.Logs.AllText();
        Assert.Contains("released", logs, StringComparison.Ordinal);
        Assert.Contains("refused", logs, StringComparison.Ordinal);
        foreach (var forbidden in new[]
        {
            Convert.ToBase64String(secret), Convert.ToHexString(secret), Convert.ToHexStringLower(secret), Jose.Base64Url.Encode(secret),
            masterKey, token, token.Split('.')[2], jwe, attester.Token!, "SECRETX",
        })
        {
            Assert.DoesNotContain(forbidden, logs, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Database_StoredResource_IsEncryptedAndBoundToItsPath()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var secret = RandomNumberGenerator.GetBytes(64);
        await admin.PutResourceAsync("repo/key/a", secret, TestBroker.SimPolicy);
        await admin.PutResourceAsync("repo/key/b", RandomNumberGenerator.GetBytes(64), TestBroker.SimPolicy);

        var db = Path.Combine(broker.Directory, "broker.db");
        SqliteConnection.ClearAllPools();
        var bytes = await ReadAllSharedAsync(db);
        bytes = [.. bytes, .. await ReadAllSharedAsync(db + "-wal")];
        Assert.Equal(-1, bytes.AsSpan().IndexOf(secret.AsSpan(0, 16)));

        // Move a's ciphertext to b: the AAD (path, version) no longer matches, so release fails instead of leaking a's bytes.
        await using (var connection = new SqliteConnection("Data Source=" + db))
        {
            await connection.OpenAsync();
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = "UPDATE resources SET ciphertext = (SELECT ciphertext FROM resources WHERE path = 'repo/key/a') WHERE path = 'repo/key/b'";
            await cmd.ExecuteNonQueryAsync();
        }

        using var attester = broker.Attester();
        await attester.AttestAsync(broker.Evidence(Sim.GoodMeasurement));
        Assert.Equal(secret, await attester.GetResourceAsync("repo/key/a"));
        var ex = await Assert.ThrowsAsync<Mantle.KeyBroker.Client.KeyBrokerException>(() => attester.GetResourceAsync("repo/key/b"));
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, ex.StatusCode);
        Assert.Contains("does not decrypt under the broker master key", ex.Detail, StringComparison.Ordinal);
        broker.ExpectErrors = true;
    }

    [Fact]
    public async Task Audit_EditedOrDeletedRowInDatabase_VerificationFails()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        for (var i = 0; i < 4; i++)
        {
            await admin.PutResourceAsync($"repo/key/k{i}", [1, 2, 3], TestBroker.SimPolicy);
        }

        Assert.True(AuditChain.Verify(await admin.ReadAuditAsync()).IsValid);
        var db = Path.Combine(broker.Directory, "broker.db");
        await ExecAsync(db, "UPDATE audit SET actor = 'admin:someone-else' WHERE seq = 2");
        var edited = AuditChain.Verify(await admin.ReadAuditAsync());
        Assert.False(edited.IsValid);
        Assert.Equal(2, edited.BrokenAt);

        await ExecAsync(db, "UPDATE audit SET actor = (SELECT actor FROM audit WHERE seq = 1) WHERE seq = 2");
        Assert.True(AuditChain.Verify(await admin.ReadAuditAsync()).IsValid);
        await ExecAsync(db, "DELETE FROM audit WHERE seq = 3");
        var deleted = AuditChain.Verify(await admin.ReadAuditAsync());
        Assert.False(deleted.IsValid);
        Assert.Contains("deleted", deleted.Problem, StringComparison.Ordinal);
    }

    private static async Task ExecAsync(string db, string sql)
    {
        await using var connection = new SqliteConnection("Data Source=" + db);
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<byte[]> ReadAllSharedAsync(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory);
        return memory.ToArray();
    }
}
