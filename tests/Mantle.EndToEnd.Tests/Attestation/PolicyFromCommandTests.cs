using System.Security.Cryptography;
using System.Text.Json;
using Mantle.Attestation.Tests.Intel;
using Mantle.EndToEnd.Tests.Confidential;

namespace Mantle.EndToEnd.Tests.Attestation;

/// <summary><c>mantle policy from-evidence</c> and <c>mantle policy from-sigstruct</c>: the policies they print are what clients and the broker accept.</summary>
public sealed class PolicyFromCommandTests : IDisposable
{
    private const string SgxQuote = "sgx/dcapqvl_sgx_quote_v3.bin";
    private const string SgxCollateral = "sgx/dcapqvl_sgx_quote_v3_collateral.json";
    private const string SgxStatus = "ConfigurationAndSWHardeningNeeded";
    private const string At = "2025-06-20T00:00:00Z";
    private readonly string _folder = Directory.CreateTempSubdirectory("mantle-cli-policy-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private Task<(int ExitCode, string StdOut, string StdErr)> Mantle(params string[] args) => MantleProcess.RunAsUserAsync(PathOf("config"), null, args);

    [Fact]
    public async Task FromEvidence_RealSgxQuote_ClientsAndTheBrokerAcceptThePolicy()
    {
        var made = await Mantle("policy", "from-evidence", TestData.Path(SgxQuote), "--collateral", TestData.Path(SgxCollateral),
            "--at", At, "--tcb-status", SgxStatus, "--out", PathOf("sgx-policy.json"));
        Assert.True(made.ExitCode == 0, made.StdErr);
        Assert.Contains("verified sgx evidence", made.StdErr, StringComparison.Ordinal);

        var verified = await Mantle("attest", "verify", "--evidence", TestData.Path(SgxQuote), "--collateral", TestData.Path(SgxCollateral),
            "--at", At, "--policy", PathOf("sgx-policy.json"), "--json");
        Assert.True(verified.ExitCode == 0, verified.StdOut + verified.StdErr);
        using var claims = JsonDocument.Parse(verified.StdOut);
        using var policy = JsonDocument.Parse(await File.ReadAllTextAsync(PathOf("sgx-policy.json")));
        var pinned = policy.RootElement.GetProperty("claims");
        Assert.Equal(claims.RootElement.GetProperty("claims").GetProperty("measurement").GetString(), pinned.GetProperty("measurement").GetProperty("equals").GetString());
        Assert.Equal(claims.RootElement.GetProperty("claims").GetProperty("signer").GetString(), pinned.GetProperty("signer").GetProperty("equals").GetString());

        await using var world = await ConfidentialWorld.StartAsync();
        var set = await Mantle("broker", "policy", "set", "--credential", Path.Combine(world.Root, "broker", "admin.credential"),
            "--broker", world.BrokerUrl.ToString(), "--default", PathOf("sgx-policy.json"));
        Assert.True(set.ExitCode == 0, set.StdErr);
    }

    [Fact]
    public async Task FromEvidence_StatusNotAccepted_WarnsThatThePolicyRefusesItsOwnEvidence()
    {
        var made = await Mantle("policy", "from-evidence", TestData.Path(SgxQuote), "--collateral", TestData.Path(SgxCollateral), "--at", At);
        Assert.Equal(0, made.ExitCode);
        Assert.Contains($"--tcb-status {SgxStatus}", made.StdErr, StringComparison.Ordinal);
        await File.WriteAllTextAsync(PathOf("strict.json"), made.StdOut);

        var verified = await Mantle("attest", "verify", "--evidence", TestData.Path(SgxQuote), "--collateral", TestData.Path(SgxCollateral),
            "--at", At, "--policy", PathOf("strict.json"));

        Assert.Equal(3, verified.ExitCode);
        Assert.Contains("tcb_status", verified.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FromEvidence_TdxQuoteWithRtmr3_PinsIt()
    {
        var made = await Mantle("policy", "from-evidence", TestData.Path("tdx/dcapqvl_tdx_quote.bin"),
            "--collateral", TestData.Path("tdx/dcapqvl_tdx_quote_collateral.json"), "--at", At, "--claim", "tdx.rtmr3",
            "--tcb-status", "UpToDate", "--tcb-status", "OutOfDate", "--tcb-status", "SWHardeningNeeded");

        Assert.True(made.ExitCode == 0, made.StdErr);
        using var policy = JsonDocument.Parse(made.StdOut);
        Assert.Equal("tdx", policy.RootElement.GetProperty("tees")[0].GetString());
        Assert.Equal(96, policy.RootElement.GetProperty("claims").GetProperty("tdx.rtmr3").GetProperty("equals").GetString()!.Length);
        Assert.Equal(96, policy.RootElement.GetProperty("claims").GetProperty("measurement").GetProperty("equals").GetString()!.Length);
    }

    [Fact]
    public async Task FromEvidence_DebugSnpReport_RefusedUnlessDebugIsAllowed()
    {
        string[] args = ["policy", "from-evidence", TestData.Path("snp/gosev_attestation_milan.bin"), "--collateral", TestData.Path("snp/gosev_vcek_milan.der"), "--at", "2025-01-01T00:00:00Z"];

        var refused = await Mantle(args);
        var allowed = await Mantle([.. args, "--allow-debug"]);

        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("debug mode", refused.StdErr, StringComparison.Ordinal);
        Assert.True(allowed.ExitCode == 0, allowed.StdErr);
        Assert.True(JsonDocument.Parse(allowed.StdOut).RootElement.GetProperty("allow_debug").GetBoolean());
    }

    [Fact]
    public async Task FromEvidence_SimEvidenceThenOtherBuild_PolicyRefusesTheOther()
    {
        Assert.Equal(0, (await Mantle("attest", "evidence", "--tee", "sim", "--report-data", "00", "--out", PathOf("ev.bin"))).ExitCode);
        Assert.Equal(0, (await Mantle("attest", "evidence", "--tee", "sim", "--report-data", "00", "--config-digest", "01", "--out", PathOf("other.bin"))).ExitCode);

        var made = await Mantle("policy", "from-evidence", PathOf("ev.bin"), "--out", PathOf("sim-policy.json"));
        var same = await Mantle("attest", "verify", "--evidence", PathOf("ev.bin"), "--policy", PathOf("sim-policy.json"));
        var other = await Mantle("attest", "verify", "--evidence", PathOf("other.bin"), "--policy", PathOf("sim-policy.json"));

        Assert.True(made.ExitCode == 0, made.StdErr);
        Assert.Contains("no security", made.StdErr, StringComparison.Ordinal);
        Assert.Equal(0, same.ExitCode);
        Assert.Equal(3, other.ExitCode);
        Assert.Contains("measurement", other.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FromEvidence_TamperedQuote_RefusedAsNotKnownGood()
    {
        var bytes = await File.ReadAllBytesAsync(TestData.Path(SgxQuote));
        bytes[48 + 64] ^= 1; // MRENCLAVE
        await File.WriteAllBytesAsync(PathOf("tampered.bin"), bytes);

        var result = await Mantle("policy", "from-evidence", PathOf("tampered.bin"), "--collateral", TestData.Path(SgxCollateral), "--at", At);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("does not verify", result.StdErr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.StdOut);
    }

    [Fact]
    public async Task FromSigStruct_SignedEnclave_PolicyPinsItsIdentityAndTheBrokerTakesIt()
    {
        var mrEnclave = SHA256.HashData("mantle under gramine"u8);
        await File.WriteAllBytesAsync(PathOf("mantle.sig"), TestSigStruct.Build(mrEnclave, isvProdId: 5, isvSvn: 2));

        var made = await Mantle("policy", "from-sigstruct", PathOf("mantle.sig"), "--out", PathOf("sgx-policy.json"));

        Assert.True(made.ExitCode == 0, made.StdErr);
        Assert.Contains("MRENCLAVE " + Convert.ToHexStringLower(mrEnclave), made.StdErr, StringComparison.Ordinal);
        using var policy = JsonDocument.Parse(await File.ReadAllTextAsync(PathOf("sgx-policy.json")));
        var pinned = policy.RootElement.GetProperty("claims");
        Assert.Equal(Convert.ToHexStringLower(mrEnclave), pinned.GetProperty("measurement").GetProperty("equals").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(TestSigStruct.ModulusLittleEndian())), pinned.GetProperty("signer").GetProperty("equals").GetString());
        Assert.Equal(5, pinned.GetProperty("product_id").GetProperty("equals").GetInt32());
        Assert.Equal(2, pinned.GetProperty("svn").GetProperty("min").GetInt32());
        Assert.False(policy.RootElement.GetProperty("allow_debug").GetBoolean());

        await using var world = await ConfidentialWorld.StartAsync();
        var set = await Mantle("broker", "policy", "set", "--credential", Path.Combine(world.Root, "broker", "admin.credential"),
            "--broker", world.BrokerUrl.ToString(), "--default", PathOf("sgx-policy.json"));
        Assert.True(set.ExitCode == 0, set.StdErr);
    }

    [Fact]
    public async Task FromSigStruct_DebugEnclave_RefusedUnlessDebugIsAllowed()
    {
        await File.WriteAllBytesAsync(PathOf("debug.sig"), TestSigStruct.Build(new byte[32], 1, 1, debug: true));

        var refused = await Mantle("policy", "from-sigstruct", PathOf("debug.sig"));
        var allowed = await Mantle("policy", "from-sigstruct", PathOf("debug.sig"), "--allow-debug", "--signer-only");

        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("sgx.debug = false", refused.StdErr, StringComparison.Ordinal);
        Assert.True(allowed.ExitCode == 0, allowed.StdErr);
        Assert.DoesNotContain("measurement", allowed.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FromSigStruct_EditedOrMissingFile_Refused()
    {
        var bytes = TestSigStruct.Build(new byte[32], 1, 1);
        bytes[1026] = 9; // ISVSVN after signing
        await File.WriteAllBytesAsync(PathOf("edited.sig"), bytes);

        var edited = await Mantle("policy", "from-sigstruct", PathOf("edited.sig"));
        var missing = await Mantle("policy", "from-sigstruct", PathOf("missing.sig"));

        Assert.Equal(3, edited.ExitCode);
        Assert.Contains("does not verify", edited.StdErr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, edited.StdOut);
        Assert.Equal(2, missing.ExitCode);
    }
}
