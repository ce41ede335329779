using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Mantle.Attestation.Sim;
using Mantle.KeyBroker.Client;
using Mantle.KeyBroker.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Mantle.KeyBroker.Tests.Cli;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BrokerCliTests
{
    [Fact]
    public async Task Cli_InitServePutKeysAndAuditVerify_DetectsEditedEntry()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mantle-kb-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            var config = Path.Combine(dir, "cfg");
            Assert.Equal(0, (await MantleAsync("broker", "init", "--out", config, "--allow-sim")).Code);
            Assert.Equal(2, (await MantleAsync("broker", "init", "--out", config)).Code);
            var simKey = Path.Combine(dir, "sim.pem");
            using var platform = SimulatedTee.LoadOrCreate(simKey);
            using var broker = await BrokerProcess.StartAsync(config, null, simKey);
            var credential = Path.Combine(config, "admin.credential");
            string[] common = ["--broker", broker.Url.ToString(), "--credential", credential];

            var keyBytes = RandomNumberGenerator.GetBytes(32);
            var keyId = Convert.ToHexStringLower(SHA256.HashData([.. "mantle/v1/key-id"u8, .. keyBytes])[..8]);
            var keyFile = Path.Combine(dir, "model.key");
            await File.WriteAllTextAsync(keyFile, JsonSerializer.Serialize(new Dictionary<string, string> { ["type"] = "mantle-model-key", ["keyId"] = keyId, ["key"] = Convert.ToBase64String(keyBytes) }));
            var policyFile = Path.Combine(dir, "policy.json");
            await File.WriteAllTextAsync(policyFile, TestBroker.SimPolicy);
            var put = await MantleAsync(["broker", "keys", "put", .. common, "--key", keyFile, "--policy", policyFile, "--json"]);
            Assert.Equal(0, put.Code);
            Assert.Contains($"mantle/model-key/{keyId}", put.Stdout, StringComparison.Ordinal);

            var fetched = Path.Combine(dir, "fetched.key");
            var fetch = await MantleAsync("broker", "fetch", "--broker", broker.Url.ToString(), "--tee", "sim", "--sim-key", simKey,
                "--path", $"mantle/model-key/{keyId}", "--out", fetched);
            Assert.True(fetch.Code == 0, fetch.Stderr);
            Assert.Equal(keyBytes, await File.ReadAllBytesAsync(fetched));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(fetched));

            var tampered = Path.Combine(dir, "tampered.key");
            await File.WriteAllTextAsync(tampered, JsonSerializer.Serialize(new Dictionary<string, string> { ["type"] = "mantle-model-key", ["keyId"] = "0000000000000000", ["key"] = Convert.ToBase64String(keyBytes) }));
            var refused = await MantleAsync(["broker", "keys", "put", .. common, "--key", tampered]);
            Assert.Equal(2, refused.Code);
            Assert.Contains("does not match", refused.Stderr, StringComparison.Ordinal);

            var file = Path.Combine(dir, "secret.bin");
            await File.WriteAllBytesAsync(file, RandomNumberGenerator.GetBytes(48));
            Assert.Equal(0, (await MantleAsync(["broker", "resource", "put", .. common, "--path", "repo/tls/server", "--file", file])).Code);
            Assert.Equal(0, (await MantleAsync(["broker", "resource", "rotate", .. common, "--path", "repo/tls/server", "--file", file])).Code);
            Assert.Equal(0, (await MantleAsync(["broker", "resource", "revoke", .. common, "--path", "repo/tls/server"])).Code);
            var list = await MantleAsync(["broker", "resource", "list", .. common, "--json"]);
            Assert.Equal(0, list.Code);
            Assert.Equal(3, JsonDocument.Parse(list.Stdout).RootElement.GetArrayLength());
            Assert.Equal(0, (await MantleAsync(["broker", "policy", "set", .. common, "--default", policyFile])).Code);
            Assert.Contains("\"sim\"", (await MantleAsync(["broker", "policy", "show", .. common, "--default"])).Stdout, StringComparison.Ordinal);

            using (var attester = new KeyBrokerClient(broker.Url))
            {
                await attester.AttestAsync(new SimEvidenceProvider(platform, new() { MeasurementOverride = Sim.GoodMeasurement }));
                Assert.Equal(keyBytes, await attester.GetResourceAsync($"mantle/model-key/{keyId}"));
            }

            var ok = await MantleAsync(["broker", "audit", .. common, "--verify", "--json"]);
            Assert.Equal(0, ok.Code);
            Assert.True(JsonDocument.Parse(ok.Stdout).RootElement.GetProperty("valid").GetBoolean());

            await using (var connection = new SqliteConnection("Data Source=" + Path.Combine(config, "broker.db")))
            {
                await connection.OpenAsync();
                await using var cmd = connection.CreateCommand();
                cmd.CommandText = "UPDATE audit SET details = 'version=9' WHERE seq = 2";
                await cmd.ExecuteNonQueryAsync();
            }

            SqliteConnection.ClearAllPools();
            var broken = await MantleAsync(["broker", "audit", .. common, "--verify"]);
            Assert.Equal(3, broken.Code);
            Assert.Contains("BROKEN at entry 2", broken.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task Cli_ServeWithCollateral_VerifiesHardwareEvidenceToo()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mantle-kb-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            BrokerInitializer.Initialize(dir);
            var simKey = Path.Combine(dir, "sim.pem");
            Mantle.Attestation.Sim.SimulatedTee.LoadOrCreate(simKey).Dispose();

            var collateral = Mantle.Attestation.Tests.TestData.Path("sgx/dcapqvl_sgx_quote_v3_collateral.json");
            using var broker = await BrokerProcess.StartAsync(dir, null, simKey, null, "--collateral", collateral);

            Assert.Contains("Evidence verifiers: sim, sgx, tdx, snp", broker.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task Cli_ServeWithMissingCollateral_ExitsWithUsageError()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mantle-kb-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            BrokerInitializer.Initialize(dir);
            var result = await MantleAsync("broker", "serve", "--config", dir, "--urls", "http://127.0.0.1:0", "--plaintext", "--collateral", Path.Combine(dir, "nothing-here"));
            Assert.Equal(2, result.Code);
            Assert.Contains("--collateral", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task Cli_ServePlaintextOnNonLoopback_ExitsWithUsageError()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mantle-kb-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            BrokerInitializer.Initialize(dir);
            var result = await MantleAsync("broker", "serve", "--config", dir, "--urls", "http://0.0.0.0:0", "--plaintext");
            Assert.Equal(2, result.Code);
            Assert.Contains("loopback", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task Cli_AdminWithoutBroker_ExitsWithRemoteError()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mantle-kb-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            BrokerInitializer.Initialize(dir, new BrokerInitOptions { BrokerUrl = "http://127.0.0.1:1" });
            var result = await MantleAsync("broker", "resource", "list", "--credential", Path.Combine(dir, "admin.credential"));
            Assert.Equal(4, result.Code);
            Assert.Contains("Cannot reach the broker", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("master.key", "not base64!", null, "is not base64 text")]
    [InlineData("ca.crt", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", null, "ca.crt is not a PEM certificate")]
    [InlineData(null, null, "no-such-folder/broker.db", "no-such-folder does not exist")]
    public async Task Cli_ServeWithBadConfiguration_ExitsNamingTheFileAndReason(string? file, string? content, string? database, string reason)
    {
        var dir = Path.Combine(Path.GetTempPath(), "mantle-kb-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            BrokerInitializer.Initialize(dir);
            if (file is not null)
            {
                await File.WriteAllTextAsync(Path.Combine(dir, file), content);
            }

            string[] db = database is null ? [] : ["--db", "sqlite:" + Path.Combine(dir, database)];
            var result = await MantleAsync(["broker", "serve", "--config", dir, "--plaintext", "--urls", "http://127.0.0.1:0", .. db]);

            Assert.Equal(2, result.Code);
            Assert.Contains("error: the broker cannot start", result.Stderr, StringComparison.Ordinal);
            Assert.Contains(reason, result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static async Task<(int Code, string Stdout, string Stderr)> MantleAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mantle.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
