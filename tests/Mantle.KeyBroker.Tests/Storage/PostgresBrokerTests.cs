using System.Net.Http.Headers;
using System.Security.Cryptography;
using Mantle.KeyBroker.Tests.Infrastructure;

namespace Mantle.KeyBroker.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class PostgresBrokerTests(PostgresServer postgres)
{
    [Fact]
    public async Task FullFlow_OnPostgres_ReleasesOriginalBytesAndAuditVerifies()
    {
        await using var broker = await TestBroker.StartAsync(database: postgres.CreateDatabase());
        using var admin = broker.Admin();
        var key = RandomNumberGenerator.GetBytes(32);
        await admin.PutResourceAsync("mantle/model-key/pg", key, TestBroker.SimPolicy);
        await admin.RevokeResourceAsync("mantle/model-key/pg");
        await admin.RotateResourceAsync("mantle/model-key/pg", key);
        using var attester = broker.Attester();
        await attester.AttestAsync(broker.Evidence(Sim.GoodMeasurement));
        Assert.Equal(key, await attester.GetResourceAsync("mantle/model-key/pg"));

        using var reused = broker.Http();
        var audit = await admin.ReadAuditAsync();
        Assert.Equal(["resource.put", "resource.revoke", "resource.rotate", "resource.release"], audit.Select(e => e.Action));
        Assert.True(AuditChain.Verify(audit).IsValid);
    }

    [Fact]
    public async Task TwoBrokers_OnePostgres_ShareNoncesSessionsAndOneLinearAuditChain()
    {
        var database = postgres.CreateDatabase();
        var platform = Mantle.Attestation.Sim.SimulatedTee.CreateEphemeral();
        await using var a = await TestBroker.StartAsync(database: database, platform: platform);
        await using var b = await TestBroker.StartAsync(database: database, directory: a.Directory, platform: platform);
        using var adminA = a.Admin();
        using var adminB = b.Admin();
        var key = RandomNumberGenerator.GetBytes(32);
        await adminA.PutResourceAsync("repo/key/shared", key, TestBroker.SimPolicy);

        // Nonce from A, attest on B, release from A with the session cookie and from B with the token.
        using var teeKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var http = new HttpClient(new SocketsHttpHandler { CookieContainer = new System.Net.CookieContainer() });
        http.BaseAddress = a.Url;
        var nonce = await RawKbs.AuthAsync(http);
        var evidence = await a.Evidence(Sim.GoodMeasurement).GetEvidenceAsync(KbsProtocol.ReportData(nonce, RawKbs.Thumbprint(teeKey)));
        using var attestOnB = await http.PostAsync(new Uri(b.Url, "/kbs/v0/attest"), System.Net.Http.Json.JsonContent.Create(
            new Dictionary<string, object> { ["tee-pubkey"] = RawKbs.Jwk(teeKey), ["tee-evidence"] = Jose.Base64Url.Encode(evidence) }));
        Assert.Equal(System.Net.HttpStatusCode.OK, attestOnB.StatusCode);
        using var tokenDoc = System.Text.Json.JsonDocument.Parse(await attestOnB.Content.ReadAsStringAsync());
        var token = tokenDoc.RootElement.GetProperty("token").GetString()!;

        // The nonce is spent for both brokers.
        using var replayOnA = await RawKbs.AttestAsync(http, RawKbs.Jwk(teeKey), evidence);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, replayOnA.StatusCode);

        using var ecdh = ECDiffieHellman.Create(teeKey.ExportParameters(true));
        var fromA = await http.GetStringAsync("/kbs/v0/resource/repo/key/shared");
        Assert.Equal(key, Jose.JWE.Decrypt(fromA, ecdh).PlaintextBytes);
        using var bearerRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(b.Url, "/kbs/v0/resource/repo/key/shared"));
        bearerRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var fromB = await new HttpClient().SendAsync(bearerRequest);
        Assert.Equal(key, Jose.JWE.Decrypt(await fromB.Content.ReadAsStringAsync(), ecdh).PlaintextBytes);

        // Concurrent admin writes through both brokers: one linear chain with every entry.
        var writes = Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? adminA : adminB).PutResourceAsync($"repo/key/c{i}", [(byte)i], TestBroker.SimPolicy));
        await Task.WhenAll(writes);
        var audit = await adminB.ReadAuditAsync();
        var verification = AuditChain.Verify(audit);
        Assert.True(verification.IsValid, verification.Problem);
        Assert.Equal(1 + 40 + 2, audit.Count);
        Assert.Equal(41, (await adminA.ListResourcesAsync()).Count);
    }

    [Fact]
    public async Task Migrate_BrokersStartingTogetherOnAnEmptyDatabase_AllStartOnOneSchema()
    {
        for (var round = 0; round < 3; round++)
        {
            var database = postgres.CreateDatabase();
            var stores = Enumerable.Range(0, 8).Select(_ => Internal.Storage.StoreFactory.Create(database, TimeProvider.System)).ToList();
            try
            {
                await Task.WhenAll(stores.Select(store => store.MigrateAsync(CancellationToken.None)));
            }
            finally
            {
                foreach (var store in stores)
                {
                    await ((IAsyncDisposable)store).DisposeAsync();
                }
            }

            await using var broker = await TestBroker.StartAsync(database: database);
            using var admin = broker.Admin();
            await admin.PutResourceAsync("repo/key/after-race", [1], TestBroker.SimPolicy);
            Assert.Single(await admin.ListResourcesAsync());
        }
    }
}
