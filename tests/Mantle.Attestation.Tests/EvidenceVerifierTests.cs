using Mantle.Attestation.Intel;
using Mantle.Attestation.Policy;
using Mantle.Attestation.Sim;
using Mantle.Attestation.Snp;

namespace Mantle.Attestation.Tests;

public class EvidenceVerifierTests
{
    private static readonly byte[] Measurement = new byte[48];

    [Fact]
    public async Task VerifyAsync_SimEvidence_DispatchesToSimVerifier()
    {
        using var platform = SimulatedTee.CreateEphemeral();
        var evidence = await new SimEvidenceProvider(platform, new() { MeasurementOverride = Measurement }).GetEvidenceAsync(new byte[64]);
        var verifier = new EvidenceVerifier([new SimEvidenceVerifier(platform)]);

        Assert.Equal(TeeType.Sim, verifier.Detect(evidence));
        var claims = await verifier.VerifyAsync(evidence);
        Assert.Equal(TeeType.Sim, claims.Tee);
    }

    [Fact]
    public async Task VerifyAsync_UnknownBytes_IsMalformedWithClearMessage()
    {
        using var platform = SimulatedTee.CreateEphemeral();
        var verifier = new EvidenceVerifier([new SimEvidenceVerifier(platform)]);

        var error = await Assert.ThrowsAsync<AttestationException>(async () => await verifier.VerifyAsync("hello world, not evidence"u8.ToArray()));

        Assert.Equal(AttestationErrorCode.MalformedEvidence, error.Code);
        Assert.Contains("configured: sim", error.Message, StringComparison.Ordinal);
        Assert.Contains("68656c6c6f20776f", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_Empty_IsMalformed()
    {
        var verifier = new EvidenceVerifier([]);

        var error = await Assert.ThrowsAsync<AttestationException>(async () => await verifier.VerifyAsync(Array.Empty<byte>()));

        Assert.Equal(AttestationErrorCode.MalformedEvidence, error.Code);
    }

    [Theory]
    [InlineData("sgx/dcapqvl_sgx_quote_v3.bin", "sgx")]
    [InlineData("tdx/dcapqvl_tdx_quote.bin", "tdx")]
    [InlineData("snp/gosev_attestation_milan.bin", "snp")]
    public async Task VerifyAsync_RealEvidenceWithoutItsVerifier_SaysWhichVerifierIsMissing(string file, string tee)
    {
        using var platform = SimulatedTee.CreateEphemeral();
        var verifier = new EvidenceVerifier([new SimEvidenceVerifier(platform)]);

        var error = await Assert.ThrowsAsync<AttestationException>(async () => await verifier.VerifyAsync(TestData.Bytes(file)));

        Assert.Equal(AttestationErrorCode.Unsupported, error.Code);
        Assert.Contains($"no {tee} verifier is configured", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAndEvaluateAsync_PolicyWithoutSim_RefusesAuthenticSimEvidence()
    {
        using var platform = SimulatedTee.CreateEphemeral();
        var evidence = await new SimEvidenceProvider(platform, new() { MeasurementOverride = Measurement }).GetEvidenceAsync(new byte[64]);
        var verifier = new EvidenceVerifier([new SimEvidenceVerifier(platform)]);

        var refused = await verifier.VerifyAndEvaluateAsync(evidence, AttestationPolicy.Default);
        var allowed = await verifier.VerifyAndEvaluateAsync(evidence, AttestationPolicy.Parse($$$$"""{"version": 1, "tees": ["sim"], "claims": {"measurement": {"equals": "{{{{Convert.ToHexString(Measurement)}}}}"}}}"""));

        Assert.False(refused.Allowed);
        Assert.Equal("tee", Assert.Single(refused.Decision.Failures).Claim);
        Assert.True(allowed.Allowed, allowed.Decision.Reason);
    }

    [Fact]
    public async Task VerifyAndEvaluateAsync_DifferentProgram_IsRefusedByMeasurement()
    {
        using var platform = SimulatedTee.CreateEphemeral();
        var other = Enumerable.Repeat((byte)7, 48).ToArray();
        var evidence = await new SimEvidenceProvider(platform, new() { MeasurementOverride = other }).GetEvidenceAsync(new byte[64]);
        var policy = AttestationPolicy.Parse($$$$"""{"version": 1, "tees": ["sim"], "claims": {"measurement": {"one_of": ["{{{{Convert.ToHexString(Measurement)}}}}"]}}}""");

        var result = await new EvidenceVerifier([new SimEvidenceVerifier(platform)]).VerifyAndEvaluateAsync(evidence, policy);

        var failure = Assert.Single(result.Decision.Failures);
        Assert.Equal("measurement", failure.Claim);
        Assert.Equal($"'{Convert.ToHexStringLower(other)}'", failure.Actual);
    }

    [Fact]
    public async Task VerifyAndEvaluateAsync_TamperedEvidence_Throws()
    {
        using var platform = SimulatedTee.CreateEphemeral();
        var evidence = await new SimEvidenceProvider(platform, new() { MeasurementOverride = Measurement }).GetEvidenceAsync(new byte[64]);
        evidence[0x20] ^= 1;

        var error = await Assert.ThrowsAsync<AttestationException>(async () =>
            await new EvidenceVerifier([new SimEvidenceVerifier(platform)]).VerifyAndEvaluateAsync(evidence, AttestationPolicy.Default));

        Assert.Equal(AttestationErrorCode.InvalidSignature, error.Code);
    }

    [Fact]
    public void Constructor_TwoVerifiersForOneTee_Throws()
    {
        using var platform = SimulatedTee.CreateEphemeral();

        Assert.Throws<ArgumentException>(() => new EvidenceVerifier([new SimEvidenceVerifier(platform), new SimEvidenceVerifier(platform)]));
    }

    [Theory]
    [InlineData("sgx/dcapqvl_sgx_quote_v3.bin", TeeType.Sgx)]
    [InlineData("tdx/dcapqvl_tdx_quote.bin", TeeType.Tdx)]
    [InlineData("tdx/gotdx_tdx_prod_quote_SPR_E4_v4.bin", TeeType.Tdx)]
    [InlineData("snp/gosev_attestation_milan.bin", TeeType.Snp)]
    public void Detect_AllVerifiers_FindsTeeOfRealEvidence(string file, TeeType expected)
    {
        using var platform = SimulatedTee.CreateEphemeral();
        var verifier = new EvidenceVerifier(
        [
            new SimEvidenceVerifier(platform),
            new SgxQuoteVerifier(new IntelQuoteVerifierOptions()),
            new TdxQuoteVerifier(new IntelQuoteVerifierOptions()),
            new SnpReportVerifier(),
        ]);

        Assert.Equal(expected, verifier.Detect(TestData.Bytes(file)));
        Assert.Null(verifier.Detect("MNTLSIM0 nonsense"u8));
    }

    [Fact]
    public async Task VerifyAndEvaluateAsync_RealSnpReportWithDebugPolicyBit_DefaultPolicyRefusesDebug()
    {
        var snp = new SnpReportVerifier(new SnpVerifierOptions
        {
            TimeProvider = FakeTime.At("2025-01-01T00:00:00Z"),
            CollateralPath = TestData.Path("snp/gosev_vcek_milan.der"),
        });
        var verifier = new EvidenceVerifier([snp]);

        var result = await verifier.VerifyAndEvaluateAsync(TestData.Bytes("snp/gosev_attestation_milan.bin"), AttestationPolicy.Default);
        var debugAllowed = await verifier.VerifyAndEvaluateAsync(TestData.Bytes("snp/gosev_attestation_milan.bin"), AttestationPolicy.Parse("""{"version": 1, "allow_debug": true}"""));
        var pinned = await verifier.VerifyAndEvaluateAsync(TestData.Bytes("snp/gosev_attestation_milan.bin"), AttestationPolicy.Parse("""{"version": 1, "allow_debug": true, "claims": {"measurement": {"equals": "00"}}}"""));

        // The sample guest policy allows debugging (policy bit 19), so the default policy refuses it.
        Assert.Equal(TeeType.Snp, result.Claims.Tee);
        Assert.True(result.Claims.Debug);
        Assert.Equal("debug", Assert.Single(result.Decision.Failures).Claim);
        Assert.True(debugAllowed.Allowed, debugAllowed.Decision.Reason);
        Assert.Equal("measurement", Assert.Single(pinned.Decision.Failures).Claim);
    }
}
