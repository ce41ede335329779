using System.Text.Json;
using Mantle.Cli.Tests.Walk;
using Mantle.Serving.Tests.Models;

namespace Mantle.Cli.Tests;

/// <summary>Option values that used to pass the boundary (or fail deep inside with the wrong exit code or a stack trace).</summary>
public sealed class ValueValidationTests(CliWorkspaceFixture fixture) : IClassFixture<CliWorkspaceFixture>
{
    private CliWorkspace Workspace => fixture.Workspace;

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("255")]
    [InlineData("16777217")]
    public async Task Seal_ChunkSizeOutOfRange_UsageErrorNamingTheRange(string chunkSize)
    {
        var output = Workspace.NewPath("sealed");

        var result = await Seal(output, "--chunk-size", chunkSize);

        AssertUsage(result, $"--chunk-size must be between 256 and 16777216 bytes, not {chunkSize}.");
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task Seal_UnknownPlatform_UsageErrorListingThePlatforms()
    {
        var result = await Seal(Workspace.NewPath("sealed"), "--platform", "tensorflow");

        AssertUsage(result, "--platform 'tensorflow' is not one of files, onnx.");
    }

    [Theory]
    [InlineData("--version", "")]
    [InlineData("--name", " ")]
    public async Task Seal_EmptyNameOrVersion_UsageError(string option, string value)
    {
        var output = Workspace.NewPath("sealed");

        var result = await Seal(output, option, value);

        AssertUsage(result, $"{option} must not be empty.");
        Assert.False(Directory.Exists(output));
    }

    [Theory]
    [InlineData("--san", "x y")]
    [InlineData("--san", "-bad.example")]
    [InlineData("--san", "a..b")]
    [InlineData("--server-name", "bad_name!")]
    public async Task CertsCreate_NotADnsName_UsageError(string option, string name)
    {
        var output = Workspace.NewPath("tls");
        string[] serverName = option == "--server-name" ? [] : ["--server-name", "localhost"];

        var result = await Mantle(["certs", "create", "--out", output, .. serverName, option, name]);

        AssertUsage(result, $"{option} '{name}' is not a DNS name");
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task CertsCreate_WildcardAndAddresses_Accepted()
    {
        var result = await Mantle("certs", "create", "--out", Workspace.NewPath("tls"), "--server-name", "model.example.org", "--san", "*.example.org", "--san", "10.0.0.7", "--san", "::1");

        Assert.True(result.ExitCode == 0, result.StdErr);
    }

    [Theory]
    [InlineData("0", "--days must be between 1 and 3650 days, not 0.")]
    [InlineData("3651", "--days must be between 1 and 3650 days, not 3651.")]
    [InlineData("99999999999", "--days '99999999999' is not a whole number")]
    public async Task CertsCreate_DaysOutOfRange_UsageErrorSayingTheRange(string days, string message)
    {
        var result = await Mantle("certs", "create", "--out", Workspace.NewPath("tls"), "--server-name", "localhost", "--days", days);

        AssertUsage(result, message);
    }

    [Theory]
    [InlineData("notaurl")]
    [InlineData("broker.example:8443")]
    [InlineData("ftp://broker.example")]
    public async Task BrokerInit_BrokerUrlNotAUrl_UsageError(string url)
    {
        var output = Workspace.NewPath("broker");

        var result = await Mantle("broker", "init", "--out", output, "--broker-url", url);

        AssertUsage(result, $"--broker-url '{url}' is not an http(s) URL");
        Assert.False(Directory.Exists(output));
    }

    [Theory]
    [InlineData("bench", "-1")]
    [InlineData("bench", "0")]
    [InlineData("infer", "-3")]
    public async Task Batch_NotPositive_UsageError(string command, string batch)
    {
        var result = await Mantle(command, "--url", Workspace.ServerAddress, "--model", "m", "--batch", batch);

        AssertUsage(result, $"--batch must be at least 1, not {batch}.");
    }

    [Fact]
    public async Task Bench_BatchTooLargeForMemory_UsageErrorNamingTheBatch()
    {
        var basePath = Workspace.NewPath("model");
        TestModels.WriteVersion(basePath, 1, TestModels.MatMulAdd());

        var result = await Mantle("bench", "--in-process", "--model_base_path", basePath, "--batch", "2000000000", "--loop", "1", "--json");

        AssertUsage(result, "--batch 2000000000 makes each request of model");
        Assert.Equal("--batch", JsonDocument.Parse(result.StdOut).RootElement.GetProperty("error").GetProperty("option").GetString());
    }

    [Fact]
    public async Task PolicySign_PublicKey_SaysThePrivateKeyIsWanted()
    {
        var key = Workspace.NewPath("auditor");
        Assert.Equal(0, (await Mantle("policy", "keygen", "--out", key)).ExitCode);
        var output = Workspace.NewPath("policy.jws");

        var result = await Mantle("policy", "sign", "--policy", Workspace.Policy, "--key", key + ".pub", "--out", output);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"error: --key {key}.pub holds a public key only; signing needs the auditor's private key", result.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData("sqlite:/nonexistent-mantle-folder/broker.db", "--db sqlite:/nonexistent-mantle-folder/broker.db: the folder /nonexistent-mantle-folder does not exist")]
    [InlineData("mysql:broker", "--db 'mysql:broker' is neither sqlite:PATH nor postgres:CONNECTION STRING")]
    public async Task BrokerServe_DatabaseThatCannotOpen_UsageErrorBeforeStarting(string database, string message)
    {
        var config = Workspace.NewPath("broker");
        global::Mantle.KeyBroker.BrokerInitializer.Initialize(config);

        var result = await Mantle("broker", "serve", "--config", config, "--db", database, "--plaintext", "--urls", "http://127.0.0.1:0");

        AssertUsage(result, message);
    }

    [Theory]
    [InlineData("--file_system_poll_wait_seconds", "-1", "--file_system_poll_wait_seconds must be between 0 and 4294967 seconds, not -1.")]
    [InlineData("--port", "70000", "--port must be between 0 and 65535, not 70000.")]
    [InlineData("--broker-timeout", "-2", "--broker-timeout must be at least 0 seconds, not -2.")]
    public async Task Serve_ValueOutOfRange_UsageError(string option, string value, string message)
    {
        var result = await Mantle("serve", "--plaintext", "--model_base_path", Workspace.Folder, option, value);

        AssertUsage(result, message);
    }

    [Fact]
    public async Task Verify_ZeroTimeout_UsageError()
    {
        var result = await Mantle("verify", "--url", Workspace.ServerAddress, "--timeout", "0");

        AssertUsage(result, "--timeout must be between 0.001 and 3600 seconds, not 0.");
    }

    [Fact]
    public async Task MantleDebug_AddsTheStackTrace_OtherwiseNone()
    {
        string[] args = ["keys", "create", "--out", Path.Combine(Workspace.NewPath("missing"), "model.key")];

        var plain = await MantleProcess.RunAsUserAsync(Workspace.ConfigHome, new Dictionary<string, string> { ["MANTLE_DEBUG"] = "" }, args);
        var debug = await MantleProcess.RunAsUserAsync(Workspace.ConfigHome, new Dictionary<string, string> { ["MANTLE_DEBUG"] = "1" }, args);

        Assert.Equal(2, plain.ExitCode);
        Assert.DoesNotContain("   at ", plain.StdErr, StringComparison.Ordinal);
        Assert.Equal(2, debug.ExitCode);
        Assert.StartsWith("error: --out ", debug.StdErr, StringComparison.Ordinal);
        Assert.Contains("   at ", debug.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_StillPrintedWhenAskedFor()
    {
        var result = await Mantle("seal", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--chunk-size", result.StdOut, StringComparison.Ordinal);
        Assert.Equal("", result.StdErr);
    }

    private Task<(int ExitCode, string StdOut, string StdErr)> Seal(string output, params string[] more) =>
        Mantle(["seal", "--in", Workspace.File, "--out", output, "--key", Workspace.ModelKey, "--signing-key", Workspace.File, .. more]);

    private Task<(int ExitCode, string StdOut, string StdErr)> Mantle(params string[] args) =>
        MantleProcess.RunAsUserAsync(Workspace.ConfigHome, new Dictionary<string, string> { ["MANTLE_DEBUG"] = "" }, args);

    private static void AssertUsage((int ExitCode, string StdOut, string StdErr) result, string message)
    {
        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}: {result.StdErr}");
        Assert.StartsWith("error: ", result.StdErr, StringComparison.Ordinal);
        Assert.Contains(message, result.StdErr, StringComparison.Ordinal);
        Assert.Single(result.StdErr.Split('\n'), line => line.StartsWith("error:", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", result.StdErr, StringComparison.Ordinal);
    }
}
