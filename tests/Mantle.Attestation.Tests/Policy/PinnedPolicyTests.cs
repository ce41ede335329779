using System.Security.Cryptography;
using System.Text.Json;
using Mantle.Attestation.Intel;
using Mantle.Attestation.Policy;
using Mantle.Attestation.Tests.Intel;
using Mantle.Attestation.Tests.Snp;

namespace Mantle.Attestation.Tests.Policy;

public class PinnedPolicyTests
{
    private static readonly byte[] MrEnclave = SHA256.HashData("mantle serve under gramine-sgx"u8);

    [Fact]
    public void ForSigStruct_AcceptsQuoteClaimsOfThatEnclaveOnly()
    {
        var sig = SgxSigStruct.Parse(TestSigStruct.Build(MrEnclave, isvProdId: 7, isvSvn: 3));
        var policy = AttestationPolicy.Parse(PinnedPolicy.ForSigStruct(sig));

        Assert.True(policy.Evaluate(SgxClaims(sig.MrEnclave, sig.MrSigner, 7, 3)).Allowed);
        Assert.True(policy.Evaluate(SgxClaims(sig.MrEnclave, sig.MrSigner, 7, 4)).Allowed);
        AssertRefused(policy, SgxClaims(new string('a', 64), sig.MrSigner, 7, 3), "measurement");
        AssertRefused(policy, SgxClaims(sig.MrEnclave, new string('b', 64), 7, 3), "signer");
        AssertRefused(policy, SgxClaims(sig.MrEnclave, sig.MrSigner, 8, 3), "product_id");
        AssertRefused(policy, SgxClaims(sig.MrEnclave, sig.MrSigner, 7, 2), "svn");
        AssertRefused(policy, SgxClaims(sig.MrEnclave, sig.MrSigner, 7, 3, debug: true), "debug");
    }

    [Fact]
    public void ForSigStruct_SignerOnly_AcceptsAnotherEnclaveOfTheSameSigner()
    {
        var sig = SgxSigStruct.Parse(TestSigStruct.Build(MrEnclave, 7, 3));
        var json = PinnedPolicy.ForSigStruct(sig, new PinnedPolicyOptions { SignerOnly = true });
        var policy = AttestationPolicy.Parse(json);

        Assert.DoesNotContain("measurement", json, StringComparison.Ordinal);
        Assert.True(policy.Evaluate(SgxClaims(new string('a', 64), sig.MrSigner, 7, 3)).Allowed);
        AssertRefused(policy, SgxClaims(sig.MrEnclave, new string('b', 64), 7, 3), "signer");
    }

    [Fact]
    public async Task ForClaims_RealSgxQuote_PinsIdentityAndAcceptsItsOwnEvidence()
    {
        var verifier = new SgxQuoteVerifier(IntelSamples.Options(IntelSamples.DcapQvlTime, IntelSamples.SgxCollateralBundle));
        var claims = await verifier.VerifyAsync(TestData.Bytes(IntelSamples.SgxQuote));

        var json = PinnedPolicy.ForClaims(claims, new PinnedPolicyOptions { TcbStatuses = [claims.TcbStatus] });
        using var document = JsonDocument.Parse(json);
        var pinned = document.RootElement.GetProperty("claims");

        Assert.Equal(claims.Measurement, pinned.GetProperty("measurement").GetProperty("equals").GetString());
        Assert.Equal(claims.Signer, pinned.GetProperty("signer").GetProperty("equals").GetString());
        Assert.Equal(claims.ProductId, pinned.GetProperty("product_id").GetProperty("equals").GetInt32());
        Assert.Equal(claims.Svn, pinned.GetProperty("svn").GetProperty("min").GetInt32());
        Assert.Equal("sgx", document.RootElement.GetProperty("tees")[0].GetString());
        Assert.True(AttestationPolicy.Parse(json).Evaluate(claims).Allowed);
    }

    [Fact]
    public async Task ForClaims_RealTdxQuote_PinsMrTdAndBootRtmrsNotRtmr3()
    {
        var verifier = new TdxQuoteVerifier(IntelSamples.Options(IntelSamples.DcapQvlTime, IntelSamples.TdxCollateralBundle));
        var claims = await verifier.VerifyAsync(TestData.Bytes(IntelSamples.TdxQuote));

        var json = PinnedPolicy.ForClaims(claims, new PinnedPolicyOptions { TcbStatuses = [claims.TcbStatus] });
        var pinned = JsonDocument.Parse(json).RootElement.GetProperty("claims");

        Assert.Equal(claims.Measurement, pinned.GetProperty("measurement").GetProperty("equals").GetString());
        foreach (var name in new[] { "tdx.rtmr0", "tdx.rtmr1", "tdx.rtmr2", "tdx.mr_config_id", "tdx.mr_owner", "tdx.mr_owner_config", "tdx.td_attributes", "tdx.xfam" })
        {
            Assert.Equal(claims.TeeClaims[name], pinned.GetProperty(name).GetProperty("equals").GetString());
        }

        Assert.False(pinned.TryGetProperty("tdx.rtmr3", out _));
        Assert.True(AttestationPolicy.Parse(json).Evaluate(claims).Allowed);

        var withRtmr3 = PinnedPolicy.ForClaims(claims, new PinnedPolicyOptions { TcbStatuses = [claims.TcbStatus], ExtraClaims = ["tdx.rtmr3"] });
        Assert.Equal(claims.TeeClaims["tdx.rtmr3"], JsonDocument.Parse(withRtmr3).RootElement.GetProperty("claims").GetProperty("tdx.rtmr3").GetProperty("equals").GetString());
    }

    [Fact]
    public async Task ForClaims_RealSnpReport_PinsMeasurementHostDataAndGuestPolicy()
    {
        var claims = await SnpSamples.Verifier().VerifyAsync(SnpSamples.Report);
        Assert.True(claims.Debug); // the sample's guest policy allows debugging

        var json = PinnedPolicy.ForClaims(claims, new PinnedPolicyOptions { AllowDebug = true });
        Assert.False(AttestationPolicy.Parse(PinnedPolicy.ForClaims(claims)).Evaluate(claims).Allowed);
        var pinned = JsonDocument.Parse(json).RootElement.GetProperty("claims");

        Assert.Equal(claims.Measurement, pinned.GetProperty("measurement").GetProperty("equals").GetString());
        Assert.Equal(claims.TeeClaims["snp.host_data"], pinned.GetProperty("snp.host_data").GetProperty("equals").GetString());
        Assert.Equal((long)claims.TeeClaims["snp.policy"], pinned.GetProperty("snp.policy").GetProperty("equals").GetInt64());
        Assert.Equal(claims.Svn, pinned.GetProperty("svn").GetProperty("min").GetInt32());
        Assert.True(AttestationPolicy.Parse(json).Evaluate(claims).Allowed);
    }

    [Fact]
    public void ForClaims_UnknownExtraClaim_NamesTheClaimsThereAre()
    {
        var claims = SgxClaims(new string('a', 64), new string('b', 64), 1, 1);

        var error = Assert.Throws<ArgumentException>(() => PinnedPolicy.ForClaims(claims, new PinnedPolicyOptions { ExtraClaims = ["tdx.rtmr3"] }));

        Assert.Contains("'tdx.rtmr3'", error.Message, StringComparison.Ordinal);
        Assert.Contains("measurement", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForClaims_UnknownTcbStatus_RefusedByThePolicyParser()
    {
        var claims = SgxClaims(new string('a', 64), new string('b', 64), 1, 1);

        var error = Assert.Throws<AttestationException>(() => PinnedPolicy.ForClaims(claims, new PinnedPolicyOptions { TcbStatuses = ["Fine"] }));

        Assert.Equal(AttestationErrorCode.InvalidPolicy, error.Code);
    }

    private static AttestationClaims SgxClaims(string mrEnclave, string mrSigner, int productId, int svn, bool debug = false) => new()
    {
        Tee = TeeType.Sgx,
        Measurement = mrEnclave,
        Signer = mrSigner,
        ProductId = productId,
        Svn = svn,
        Debug = debug,
        TcbStatus = "UpToDate",
        ReportData = new byte[64],
    };

    private static void AssertRefused(AttestationPolicy policy, AttestationClaims claims, string claim)
    {
        var decision = policy.Evaluate(claims);
        Assert.False(decision.Allowed);
        Assert.Contains(decision.Failures, f => f.Claim == claim);
    }
}
