using System.Collections.Concurrent;
using System.Security.Cryptography;
using Mantle.Attestation.Sim;
using Mantle.KeyBroker.Client;
using Mantle.KeyBroker.Tests.Infrastructure;

namespace Mantle.KeyBroker.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class DurabilityTests(PostgresServer postgres)
{
    [Fact]
    public Task Sigkill_DuringWriteAndReleaseBurst_OnSqlite_KeepsEveryAcknowledgedWrite() => RunAsync(null);

    [Fact]
    public Task Sigkill_DuringWriteAndReleaseBurst_OnPostgres_KeepsEveryAcknowledgedWrite() => RunAsync(postgres.CreateDatabase());

    private static async Task RunAsync(string? database)
    {
        var dir = Path.Combine(Path.GetTempPath(), "mantle-kb-dur-" + Guid.NewGuid().ToString("N"));
        BrokerInitializer.Initialize(dir, new BrokerInitOptions { AllowSim = true });
        var simKey = Path.Combine(dir, "sim-platform.pem");
        using var platform = SimulatedTee.LoadOrCreate(simKey);
        var provider = new SimEvidenceProvider(platform, new SimEvidenceProviderOptions { MeasurementOverride = Sim.GoodMeasurement });
        var credential = AdminCredential.Load(Path.Combine(dir, "admin.credential"));
        var sent = new ConcurrentDictionary<string, byte[]>();
        var acknowledged = new ConcurrentDictionary<string, long>();
        var releases = 0;
        try
        {
            using (var broker = await BrokerProcess.StartAsync(dir, database, simKey))
            {
                using var admin = new BrokerAdminClient(credential, new BrokerAdminClientOptions { BrokerUrl = broker.Url.ToString() });
                var seed = RandomNumberGenerator.GetBytes(32);
                await admin.PutResourceAsync("repo/key/seed", seed, TestBroker.SimPolicy);
                acknowledged["repo/key/seed"] = 1;
                sent["repo/key/seed"] = seed;

                using var stop = new CancellationTokenSource();
                var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
                {
                    for (var i = 0; !stop.IsCancellationRequested && i < 2000; i++)
                    {
                        var path = $"repo/w{w}/k{i}";
                        var bytes = RandomNumberGenerator.GetBytes(32 + i % 64);
                        sent[path] = bytes;
                        try
                        {
                            var v = await admin.PutResourceAsync(path, bytes, TestBroker.SimPolicy);
                            acknowledged[path] = v.Version;
                        }
                        catch (KeyBrokerException)
                        {
                            return;
                        }
                    }
                })).ToList();
                var releasers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
                {
                    using var attester = new KeyBrokerClient(broker.Url);
                    try
                    {
                        await attester.AttestAsync(provider);
                        while (!stop.IsCancellationRequested)
                        {
                            Assert.Equal(seed, await attester.GetResourceAsync("repo/key/seed"));
                            Interlocked.Increment(ref releases);
                        }
                    }
                    catch (KeyBrokerException)
                    {
                    }
                })).ToList();

                var deadline = DateTime.UtcNow.AddSeconds(20);
                while (acknowledged.Count < 60 && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(20);
                }

                broker.Kill();
                await stop.CancelAsync();
                await Task.WhenAll(writers.Concat(releasers));
            }

            Assert.True(acknowledged.Count >= 60, $"only {acknowledged.Count} writes were acknowledged before the kill");
            Assert.True(releases > 0, "no release completed before the kill");

            using var restarted = await BrokerProcess.StartAsync(dir, database, simKey);
            using var admin2 = new BrokerAdminClient(credential, new BrokerAdminClientOptions { BrokerUrl = restarted.Url.ToString() });
            var listed = (await admin2.ListResourcesAsync()).ToDictionary(r => r.Path);
            foreach (var (path, version) in acknowledged)
            {
                Assert.True(listed.TryGetValue(path, out var info), $"acknowledged write {path} is missing after the restart");
                Assert.Equal(version, info.Version);
                Assert.Equal(sent[path].Length, info.Size);
            }

            var audit = await admin2.ReadAuditAsync();
            var verification = AuditChain.Verify(audit);
            Assert.True(verification.IsValid, verification.Problem);
            Assert.True(audit.Count(e => e.Action == "resource.release" && e.Outcome == "ok") >= releases, "an acknowledged release has no audit entry");
            var audited = audit.Where(e => e.Action == "resource.put").Select(e => e.Subject).ToHashSet();
            Assert.True(listed.Keys.All(audited.Contains), "a stored resource has no audit entry");
            Assert.True(audited.All(listed.ContainsKey), "an audit entry names a resource that is not stored");

            // Every stored resource, acknowledged or not, decrypts to exactly the bytes that were sent.
            using var attester2 = new KeyBrokerClient(restarted.Url);
            await attester2.AttestAsync(provider);
            foreach (var path in listed.Keys)
            {
                Assert.Equal(sent[path], await attester2.GetResourceAsync(path));
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }
}
