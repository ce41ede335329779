using Mantle.Attestation.Intel;

namespace Mantle.Attestation.Tests.Intel;

/// <summary>TCB evaluation on real quotes against edited (and re-signed) TCB info and QE identity.</summary>
public class TcbEvaluationTests
{
    private static readonly byte[] SgxQuote = TestData.Bytes(IntelSamples.SgxQuote);
    private static readonly byte[] TdxQuote = TestData.Bytes(IntelSamples.TdxQuote);

    [Fact]
    public async Task Evaluate_QeBelowLatestLevel_ConvergesToOutOfDateConfigurationNeeded()
    {
        var claims = await VerifySgx(qe: s => Edit(s, "{\"tcb\":{\"isvsvn\":8}", "{\"tcb\":{\"isvsvn\":99}"));

        Assert.Equal(IntelTcbStatus.OutOfDateConfigurationNeeded, claims.TcbStatus);
        Assert.Contains("INTEL-SA-00615", claims.AdvisoryIds);
    }

    [Fact]
    public async Task Evaluate_QeBelowEveryLevel_ReportsRevoked()
    {
        var claims = await VerifySgx(qe: s => Edit(s, "\"isvprodid\":1,\"tcbLevels\":[", "\"isvprodid\":1,\"tcbLevels\":[{\"tcb\":{\"isvsvn\":200},\"tcbDate\":\"2025-01-01T00:00:00Z\",\"tcbStatus\":\"UpToDate\"}]}").Split("]}")[0] + "]}");

        Assert.Equal(IntelTcbStatus.Revoked, claims.TcbStatus);
    }

    [Fact]
    public async Task Evaluate_QeOfAnotherSigner_RefusesCollateral()
    {
        var error = await Assert.ThrowsAsync<AttestationException>(() => VerifySgx(qe: s => Edit(s, "\"mrsigner\":\"8C4F", "\"mrsigner\":\"9C4F")));

        Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
        Assert.Contains("MRSIGNER", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_PlatformLevelRevoked_ReportsRevoked()
    {
        var claims = await VerifySgx(tcb: s => Edit(s, "\"tcbStatus\":\"ConfigurationAndSWHardeningNeeded\"", "\"tcbStatus\":\"Revoked\""));

        Assert.Equal(IntelTcbStatus.Revoked, claims.TcbStatus);
    }

    [Fact]
    public async Task Evaluate_TdxModuleBelowLatestLevel_ReportsOutOfDate()
    {
        var claims = await VerifyTdx(s => Edit(s, "\"tcbLevels\":[{\"tcb\":{\"isvsvn\":4}", "\"tcbLevels\":[{\"tcb\":{\"isvsvn\":9}"));

        Assert.Equal(IntelTcbStatus.OutOfDate, claims.TcbStatus);
    }

    [Fact]
    public async Task Evaluate_TdxModuleNotListed_RefusesCollateral()
    {
        var error = await Assert.ThrowsAsync<AttestationException>(() => VerifyTdx(s => Edit(s, "\"id\":\"TDX_01\"", "\"id\":\"TDX_07\"")));

        Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
        Assert.Contains("TDX_01", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_TdxComponentAboveReport_FallsToLowerLevel()
    {
        // The report's TEE_TCB_SVN[2] is 3; requiring 4 at the first level leaves the OutOfDate level.
        var claims = await VerifyTdx(s => Edit(s, "{\"svn\":2,\"category\":\"OS/VMM\",\"type\":\"TDX Late Microcode Update\"}", "{\"svn\":4,\"category\":\"OS/VMM\",\"type\":\"TDX Late Microcode Update\"}", first: true));

        Assert.Equal(IntelTcbStatus.OutOfDate, claims.TcbStatus);
        Assert.Contains("INTEL-SA-00837", claims.AdvisoryIds);
    }

    private static string Edit(string text, string from, string to, bool first = false)
    {
        var index = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(index >= 0, $"'{from}' is not in the collateral");
        return first || text.IndexOf(from, index + 1, StringComparison.Ordinal) < 0
            ? string.Concat(text.AsSpan(0, index), to, text.AsSpan(index + from.Length))
            : throw new InvalidOperationException($"'{from}' occurs more than once");
    }

    private static async Task<AttestationClaims> VerifySgx(Func<string, string>? tcb = null, Func<string, string>? qe = null)
    {
        using var pki = new TestIntelPki(TestIntelPki.RealPck(SgxQuote));
        var options = IntelSamples.Options(IntelSamples.DcapQvlTime, pki.Collateral(IntelSamples.SgxCollateralBundle, tcb, editQeIdentity: qe));
        options.TrustedRoots = pki.Roots;
        return await new SgxQuoteVerifier(options).VerifyAsync(pki.ResignQuote(SgxQuote));
    }

    private static async Task<AttestationClaims> VerifyTdx(Func<string, string> tcb)
    {
        using var pki = new TestIntelPki(TestIntelPki.RealPck(TdxQuote), "Test SGX PCK Platform CA");
        var options = IntelSamples.Options(IntelSamples.DcapQvlTime, pki.Collateral(IntelSamples.TdxCollateralBundle, tcb));
        options.TrustedRoots = pki.Roots;
        return await new TdxQuoteVerifier(options).VerifyAsync(pki.ResignQuote(TdxQuote));
    }
}
