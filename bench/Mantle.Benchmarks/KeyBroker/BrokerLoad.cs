using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Mantle.Attestation;
using Mantle.Attestation.Policy;
using Mantle.Attestation.Sim;
using Mantle.KeyBroker;
using Mantle.KeyBroker.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mantle.Benchmarks.KeyBroker;

/// <summary>
/// <c>broker-load [seconds] [clients] [db]</c>: attest + release round trips per second against a broker on loopback
/// (real Kestrel, SQLite or PostgreSQL, sim evidence), with client-side p50/p99 latency, as a ratio to the same
/// cryptographic work done in process without HTTP or storage (baseline, measured in the same run).
/// </summary>
internal static class BrokerLoad
{
    private const string Policy = """{"version": 1, "tees": ["sim"]}""";

    public static void Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private static async Task RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var clients = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
        var db = args.Length > 2 ? args[2] : null;
        var dir = Path.Combine(Path.GetTempPath(), "mantle-bench-broker-" + Guid.NewGuid().ToString("N"));
        BrokerInitializer.Initialize(dir, new BrokerInitOptions { AllowSim = true });
        using var platform = SimulatedTee.CreateEphemeral();
        var provider = new SimEvidenceProvider(platform, new SimEvidenceProviderOptions { MeasurementOverride = new byte[48] });
        var options = new KeyBrokerServerOptions
        {
            ConfigDirectory = dir,
            Database = db,
            Plaintext = true,
            ConfigureBroker = o => o.RateLimitPermits = int.MaxValue,
            ConfigureServices = s =>
            {
                s.AddSingleton<IEvidenceVerifier>(new SimEvidenceVerifier(platform.ToPublicOnly()));
                s.AddLogging(b => b.SetMinimumLevel(LogLevel.Error));
            },
        };
        options.Urls.Add("http://127.0.0.1:0");
        await using var app = KeyBrokerServer.Build(options);
        await app.StartAsync();
        var url = new Uri(KeyBrokerServer.Addresses(app)[0]);
        using (var admin = new BrokerAdminClient(AdminCredential.Load(Path.Combine(dir, "admin.credential")), new BrokerAdminClientOptions { BrokerUrl = url.ToString() }))
        {
            await admin.PutResourceAsync("bench/key/k", RandomNumberGenerator.GetBytes(32), Policy);
        }

        var baseline = await MeasureAsync(TimeSpan.FromSeconds(Math.Min(seconds, 5)), 1, async () => await InProcessAsync(provider, platform));
        var roundTrip = await MeasureAsync(TimeSpan.FromSeconds(seconds), clients, async () =>
        {
            using var client = new KeyBrokerClient(url);
            await client.AttestAsync(provider);
            await client.GetResourceAsync("bench/key/k");
        });
        using var attested = new KeyBrokerClient(url);
        await attested.AttestAsync(provider);
        var releaseOnly = await MeasureAsync(TimeSpan.FromSeconds(seconds), clients, async () => await attested.GetResourceAsync("bench/key/k"));

        Console.WriteLine($"key broker on loopback ({(db is null ? "sqlite" : db.Split(':')[0])}, sim evidence, {clients} concurrent clients, {seconds:0} s each, {Environment.ProcessorCount} cores)");
        Print("baseline: in-process evidence+verify+policy+JWT+JWE (1 thread)", baseline, null);
        Print("auth + attest + release + decrypt round trip", roundTrip, baseline);
        Print("release only (token reused) + decrypt", releaseOnly, baseline);
        await app.StopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, true);
    }

    private static async Task InProcessAsync(SimEvidenceProvider provider, SimulatedTee platform)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var evidence = await provider.GetEvidenceAsync(SHA512.HashData(RandomNumberGenerator.GetBytes(48)));
        var claims = await new SimEvidenceVerifier(platform).VerifyAsync(evidence);
        AttestationPolicy.Parse(Policy).Evaluate(claims).ThrowIfDenied();
        var token = Jose.JWT.Encode(claims.ToDictionary(), key, Jose.JwsAlgorithm.ES384);
        Jose.JWT.Decode(token, key, Jose.JwsAlgorithm.ES384);
        using var ecdh = ECDiffieHellman.Create(key.ExportParameters(true));
        using var ecdhPublic = ECDiffieHellman.Create(key.ExportParameters(false));
        var jwe = Jose.JWE.EncryptBytes(RandomNumberGenerator.GetBytes(32), [new Jose.JweRecipient(Jose.JweAlgorithm.ECDH_ES_A256KW, ecdhPublic)], Jose.JweEncryption.A256GCM, mode: Jose.SerializationMode.Compact);
        Jose.JWE.Decrypt(jwe, ecdh);
    }

    private static async Task<Result> MeasureAsync(TimeSpan duration, int workers, Func<Task> operation)
    {
        await operation();
        var latencies = new List<double>[workers];
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = [];
            while (total.Elapsed < duration)
            {
                var start = Stopwatch.GetTimestamp();
                await operation();
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        })));
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Result(all.Length / total.Elapsed.TotalSeconds, all[all.Length / 2], all[Math.Min(all.Length - 1, (int)(all.Length * 0.99))], all.Length);
    }

    private static void Print(string name, Result r, Result? baseline)
    {
        var ratio = baseline is null ? "" : $"  = {r.PerSecond / baseline.PerSecond:0.00}x baseline throughput, p50 {r.P50 / baseline.P50:0.0}x baseline latency";
        Console.WriteLine($"{name,-66} {r.PerSecond,9:0.0}/s  p50 {r.P50,7:0.00} ms  p99 {r.P99,7:0.00} ms  (n={r.Count}){ratio}");
    }

    private sealed record Result(double PerSecond, double P50, double P99, int Count);
}
