using System.Text.Json;

namespace Mantle.EndToEnd.Tests.Attestation;

public sealed class AttestCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mantle-cli-att-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private Task<(int ExitCode, string StdOut, string StdErr)> Mantle(params string[] args) => MantleProcess.RunAsUserAsync(PathOf("config"), null, args);

    [Fact]
    public async Task EvidenceThenVerify_Sim_VerifiesWithJsonClaims()
    {
        var made = await Mantle("attest", "evidence", "--tee", "sim", "--report-data", "c0ffee", "--out", PathOf("ev.bin"));
        Assert.Equal(0, made.ExitCode);
        Assert.True(File.Exists(PathOf("config/mantle/sim-platform-key.pem")));
        Assert.Contains("no security", made.StdErr, StringComparison.Ordinal);

        var verified = await Mantle("attest", "verify", "--evidence", PathOf("ev.bin"), "--json");

        Assert.Equal(0, verified.ExitCode);
        using var json = JsonDocument.Parse(verified.StdOut);
        Assert.True(json.RootElement.GetProperty("verified").GetBoolean());
        Assert.Equal("sim", json.RootElement.GetProperty("tee").GetString());
        Assert.Equal("UpToDate", json.RootElement.GetProperty("tcb_status").GetString());
        Assert.StartsWith("c0ffee00", json.RootElement.GetProperty("claims").GetProperty("report_data").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task Verify_TamperedSimEvidence_ExitsVerificationFailed()
    {
        Assert.Equal(0, (await Mantle("attest", "evidence", "--tee", "sim", "--report-data", "00", "--out", PathOf("ev.bin"))).ExitCode);
        var bytes = File.ReadAllBytes(PathOf("ev.bin"));
        bytes[0x30] ^= 1;
        File.WriteAllBytes(PathOf("ev.bin"), bytes);

        var result = await Mantle("attest", "verify", "--evidence", PathOf("ev.bin"), "--json");

        Assert.Equal(3, result.ExitCode);
        using var json = JsonDocument.Parse(result.StdOut);
        Assert.False(json.RootElement.GetProperty("verified").GetBoolean());
        Assert.Contains("does not verify", json.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("refused", json.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Verify_OtherSimKey_IsRefused()
    {
        Assert.Equal(0, (await Mantle("attest", "evidence", "--tee", "sim", "--report-data", "00", "--out", PathOf("ev.bin"))).ExitCode);
        Assert.Equal(0, (await Mantle("attest", "evidence", "--tee", "sim", "--report-data", "00", "--out", PathOf("other.bin"), "--sim-key", PathOf("other-key.pem"))).ExitCode);

        var result = await Mantle("attest", "verify", "--evidence", PathOf("ev.bin"), "--sim-key", PathOf("other-key.pem"));

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("platform key", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_PolicyWithoutSim_RefusesAndNamesClaim()
    {
        Assert.Equal(0, (await Mantle("attest", "evidence", "--tee", "sim", "--report-data", "00", "--out", PathOf("ev.bin"))).ExitCode);
        File.WriteAllText(PathOf("policy.json"), """{"version": 1}""");
        File.WriteAllText(PathOf("sim-policy.json"), """{"version": 1, "tees": ["sim"]}""");

        var refused = await Mantle("attest", "verify", "--evidence", PathOf("ev.bin"), "--policy", PathOf("policy.json"), "--json");
        var allowed = await Mantle("attest", "verify", "--evidence", PathOf("ev.bin"), "--policy", PathOf("sim-policy.json"), "--json");

        Assert.Equal(3, refused.ExitCode);
        using var json = JsonDocument.Parse(refused.StdOut);
        Assert.False(json.RootElement.GetProperty("verified").GetBoolean());
        Assert.Equal("tee", json.RootElement.GetProperty("policy").GetProperty("failures")[0].GetProperty("claim").GetString());
        Assert.Equal(0, allowed.ExitCode);
    }

    [Fact]
    public async Task PolicySign_ThenVerifyWithAuditorKey_AcceptsAndRejectsOtherAuditor()
    {
        Assert.Equal(0, (await Mantle("attest", "evidence", "--tee", "sim", "--report-data", "00", "--out", PathOf("ev.bin"))).ExitCode);
        File.WriteAllText(PathOf("policy.json"), """{"version": 1, "tees": ["sim"]}""");
        Assert.Equal(0, (await Mantle("policy", "keygen", "--out", PathOf("auditor.pem"))).ExitCode);
        Assert.Equal(0, (await Mantle("policy", "keygen", "--out", PathOf("other.pem"))).ExitCode);
        Assert.Equal(0, (await Mantle("policy", "sign", "--policy", PathOf("policy.json"), "--key", PathOf("auditor.pem"), "--out", PathOf("policy.jws"))).ExitCode);

        var trusted = await Mantle("attest", "verify", "--evidence", PathOf("ev.bin"), "--signed-policy", PathOf("policy.jws"), "--auditor-key", PathOf("auditor.pem.pub"));
        var untrusted = await Mantle("attest", "verify", "--evidence", PathOf("ev.bin"), "--signed-policy", PathOf("policy.jws"), "--auditor-key", PathOf("other.pem.pub"));

        Assert.Equal(0, trusted.ExitCode);
        Assert.NotEqual(0, untrusted.ExitCode);
        Assert.Contains("signature does not verify", untrusted.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_UnknownBytes_SaysWhatIsWrong()
    {
        File.WriteAllText(PathOf("junk.bin"), "certainly not evidence");

        var result = await Mantle("attest", "verify", "--evidence", PathOf("junk.bin"), "--json");

        Assert.Equal(3, result.ExitCode);
        using var json = JsonDocument.Parse(result.StdOut);
        Assert.Equal("MalformedEvidence", json.RootElement.GetProperty("error").GetProperty("detail_code").GetString());
    }

    [Fact]
    public async Task Verify_BadAt_IsUsageError()
    {
        File.WriteAllText(PathOf("junk.bin"), "x");

        var result = await Mantle("attest", "verify", "--evidence", PathOf("junk.bin"), "--at", "yesterday");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--at", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evidence_BadReportDataHex_IsUsageError()
    {
        var result = await Mantle("attest", "evidence", "--tee", "sim", "--report-data", "xyz", "--out", PathOf("ev.bin"));

        Assert.Equal(2, result.ExitCode);
        Assert.False(File.Exists(PathOf("ev.bin")));
    }

    [Fact]
    public async Task Evidence_TdxWithoutConfigfsTsm_FailsClearly()
    {
        var result = await Mantle("attest", "evidence", "--tee", "tdx", "--report-data", "00", "--out", PathOf("ev.bin"), "--device-root", PathOf("no-tsm"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("configfs-tsm", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RaTls_GramineCertificate_VerifiesBothExtensionsToIntelRoot()
    {
        var result = await Mantle("attest", "ratls", "--cert", TestData.Path("ratls/gramine-cert.pem"), "--at", "2025-06-20T00:00:00Z", "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.StdOut);
        Assert.True(json.RootElement.GetProperty("verified").GetBoolean());
        Assert.Equal("sgx", json.RootElement.GetProperty("tee").GetString());
        Assert.Equal("NotEvaluated", json.RootElement.GetProperty("tcb_status").GetString());
        Assert.Equal("00606a000000", json.RootElement.GetProperty("claims").GetProperty("sgx.fmspc").GetString());
        Assert.True(json.RootElement.GetProperty("ratls").GetProperty("evidence_extension").GetBoolean());
        Assert.True(json.RootElement.GetProperty("ratls").GetProperty("legacy_extension").GetBoolean());
    }

    [Theory]
    [InlineData("sgx/dcapqvl_sgx_quote_v3.bin", "sgx/dcapqvl_sgx_quote_v3_collateral.json", "2025-06-20T00:00:00Z", "sgx", "ConfigurationAndSWHardeningNeeded")]
    [InlineData("tdx/dcapqvl_tdx_quote.bin", "tdx/dcapqvl_tdx_quote_collateral.json", "2025-06-20T00:00:00Z", "tdx", null)]
    [InlineData("snp/gosev_attestation_milan.bin", "snp/gosev_vcek_milan.der", "2025-01-01T00:00:00Z", "snp", "UpToDate")]
    public async Task Verify_RealEvidenceWithCollateral_VerifiesWithTeeFromBytes(string evidence, string collateral, string at, string tee, string? tcbStatus)
    {
        var result = await Mantle("attest", "verify", "--evidence", TestData.Path(evidence), "--collateral", TestData.Path(collateral), "--at", at, "--json");

        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        using var json = JsonDocument.Parse(result.StdOut);
        Assert.True(json.RootElement.GetProperty("verified").GetBoolean());
        Assert.Equal(tee, json.RootElement.GetProperty("tee").GetString());
        if (tcbStatus is not null)
        {
            Assert.Equal(tcbStatus, json.RootElement.GetProperty("tcb_status").GetString());
        }
    }

    [Fact]
    public async Task Verify_SgxQuoteWithoutCollateral_IsRefused()
    {
        var result = await Mantle("attest", "verify", "--evidence", TestData.Path("sgx/dcapqvl_sgx_quote_v3.bin"), "--at", "2025-06-20T00:00:00Z", "--json");

        Assert.Equal(3, result.ExitCode);
        using var json = JsonDocument.Parse(result.StdOut);
        Assert.Equal("InvalidCollateral", json.RootElement.GetProperty("error").GetProperty("detail_code").GetString());
    }

    [Fact]
    public async Task Verify_SgxQuoteAfterCollateralExpired_IsRefused()
    {
        var result = await Mantle(
            "attest", "verify", "--evidence", TestData.Path("sgx/dcapqvl_sgx_quote_v3.bin"),
            "--collateral", TestData.Path("sgx/dcapqvl_sgx_quote_v3_collateral.json"), "--at", "2025-09-01T00:00:00Z", "--json");

        Assert.Equal(3, result.ExitCode);
        using var json = JsonDocument.Parse(result.StdOut);
        Assert.False(json.RootElement.GetProperty("verified").GetBoolean());
    }

    [Fact]
    public async Task Verify_SgxQuoteWithPolicyAcceptingItsTcb_IsAllowed()
    {
        File.WriteAllText(PathOf("policy.json"), """{"version": 1, "tees": ["sgx"], "tcb_status": ["ConfigurationAndSWHardeningNeeded"]}""");
        File.WriteAllText(PathOf("strict.json"), """{"version": 1, "tees": ["sgx"]}""");
        string[] common = ["attest", "verify", "--evidence", TestData.Path("sgx/dcapqvl_sgx_quote_v3.bin"), "--collateral", TestData.Path("sgx/dcapqvl_sgx_quote_v3_collateral.json"), "--at", "2025-06-20T00:00:00Z"];

        var allowed = await Mantle([.. common, "--policy", PathOf("policy.json")]);
        var refused = await Mantle([.. common, "--policy", PathOf("strict.json")]);

        Assert.Equal(0, allowed.ExitCode);
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("claim 'tcb_status' is 'ConfigurationAndSWHardeningNeeded'", refused.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_SimEvidenceWithoutAnySimKey_SaysHowToGiveOne()
    {
        Assert.Equal(0, (await Mantle("attest", "evidence", "--tee", "sim", "--report-data", "00", "--out", PathOf("ev.bin"), "--sim-key", PathOf("elsewhere.pem"))).ExitCode);

        var result = await Mantle("attest", "verify", "--evidence", PathOf("ev.bin"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--sim-key", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RaTls_SimCertificate_VerifiesAndAppliesPolicy()
    {
        Assert.Equal(0, (await Mantle("attest", "ratls-cert", "--tee", "sim", "--out", PathOf("cert.pem"), "--key-out", PathOf("key.pem"))).ExitCode);
        File.WriteAllText(PathOf("policy.json"), """{"version": 1}""");
        File.WriteAllText(PathOf("sim-policy.json"), """{"version": 1, "tees": ["sim"]}""");

        var plain = await Mantle("attest", "ratls", "--cert", PathOf("cert.pem"), "--json");
        var refused = await Mantle("attest", "ratls", "--cert", PathOf("cert.pem"), "--policy", PathOf("policy.json"));
        var allowed = await Mantle("attest", "ratls", "--cert", PathOf("cert.pem"), "--policy", PathOf("sim-policy.json"));
        var expired = await Mantle("attest", "ratls", "--cert", PathOf("cert.pem"), "--at", "2100-01-01T00:00:00Z");
        var missing = await Mantle("attest", "ratls", "--cert", PathOf("absent.pem"));

        Assert.Equal(0, plain.ExitCode);
        using var json = JsonDocument.Parse(plain.StdOut);
        Assert.True(json.RootElement.GetProperty("ratls").GetProperty("evidence_extension").GetBoolean());
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("claim 'tee' is 'sim'", refused.StdErr, StringComparison.Ordinal);
        Assert.Equal(0, allowed.ExitCode);
        Assert.Equal(3, expired.ExitCode);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--cert", missing.StdErr, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(PathOf("key.pem")));
        }
    }
}
