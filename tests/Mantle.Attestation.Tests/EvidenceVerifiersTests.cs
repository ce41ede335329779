using Mantle.Attestation.Sim;
using Mantle.Attestation.Tests.Intel;

namespace Mantle.Attestation.Tests;

public sealed class EvidenceVerifiersTests : IDisposable
{
    private readonly SimulatedTee _platform = SimulatedTee.CreateEphemeral();
    private readonly TempFolder _folder = new();

    public void Dispose()
    {
        _platform.Dispose();
        _folder.Dispose();
    }

    private async Task<byte[]> SimEvidenceAsync() =>
        await new SimEvidenceProvider(_platform, new() { MeasurementOverride = new byte[48] }).GetEvidenceAsync(new byte[64]);

    [Fact]
    public void CreateAll_Defaults_HasOneVerifierPerTee()
    {
        var verifiers = EvidenceVerifiers.CreateAll(new EvidenceVerifierOptions { SimPlatform = _platform });

        Assert.Equal([TeeType.Sim, TeeType.Sgx, TeeType.Tdx, TeeType.Snp], verifiers.Select(v => v.Tee));
    }

    [Fact]
    public async Task Create_SimPlatform_VerifiesItsEvidence()
    {
        var verifier = EvidenceVerifiers.Create(new EvidenceVerifierOptions { SimPlatform = _platform });

        var claims = await verifier.VerifyAsync(await SimEvidenceAsync());

        Assert.Equal(TeeType.Sim, claims.Tee);
    }

    [Fact]
    public async Task Create_AcceptSimFalse_RefusesSimEvidenceAsUnsupported()
    {
        var verifier = EvidenceVerifiers.Create(new EvidenceVerifierOptions { AcceptSim = false });

        var error = await Assert.ThrowsAsync<AttestationException>(async () => await verifier.VerifyAsync(await SimEvidenceAsync()));

        Assert.Equal(AttestationErrorCode.Unsupported, error.Code);
        Assert.Equal([TeeType.Sgx, TeeType.Tdx, TeeType.Snp], verifier.Tees);
    }

    [Fact]
    public async Task Create_SimKeyPathOfAnotherPlatform_RefusesEvidence()
    {
        using var other = SimulatedTee.LoadOrCreate(_folder.Combine("other.pem"));
        var verifier = EvidenceVerifiers.Create(new EvidenceVerifierOptions { SimKeyPath = _folder.Combine("other.pem") });

        var error = await Assert.ThrowsAsync<AttestationException>(async () => await verifier.VerifyAsync(await SimEvidenceAsync()));

        Assert.Contains("platform key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateAll_MissingSimKeyFile_ThrowsAtOnce()
    {
        var error = Assert.Throws<AttestationException>(() => EvidenceVerifiers.CreateAll(new EvidenceVerifierOptions { SimKeyPath = _folder.Combine("missing.pem") }));

        Assert.Contains("missing.pem", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_OnFirstUseWithMissingSimKey_FailsOnlyWhenSimEvidenceShowsUp()
    {
        var verifier = EvidenceVerifiers.Create(new EvidenceVerifierOptions { SimKeyPath = _folder.Combine("missing.pem"), CreateOnFirstUse = true });
        var intel = await Assert.ThrowsAsync<AttestationException>(async () => await verifier.VerifyAsync(TestData.Bytes(IntelSamples.SgxQuote)));

        var sim = await Assert.ThrowsAsync<AttestationException>(async () => await verifier.VerifyAsync(await SimEvidenceAsync()));

        Assert.DoesNotContain("missing.pem", intel.Message, StringComparison.Ordinal);
        Assert.Contains("missing.pem", sim.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_CollateralAndTime_VerifiesRealSgxQuote()
    {
        var verifier = EvidenceVerifiers.Create(new EvidenceVerifierOptions
        {
            AcceptSim = false,
            CollateralPath = TestData.Path(IntelSamples.SgxCollateral),
            TimeProvider = FakeTime.At(IntelSamples.DcapQvlTime),
        });

        var claims = await verifier.VerifyAsync(TestData.Bytes(IntelSamples.SgxQuote));

        Assert.Equal(TeeType.Sgx, claims.Tee);
        Assert.NotEqual("NotEvaluated", claims.TcbStatus);
    }

    [Fact]
    public async Task Create_NoCollateralNotRequired_ReportsNotEvaluated()
    {
        var verifier = EvidenceVerifiers.Create(new EvidenceVerifierOptions
        {
            AcceptSim = false,
            RequireCollateral = false,
            TimeProvider = FakeTime.At(IntelSamples.DcapQvlTime),
        });

        var claims = await verifier.VerifyAsync(TestData.Bytes(IntelSamples.SgxQuote));

        Assert.Equal("NotEvaluated", claims.TcbStatus);
    }

    [Theory]
    [InlineData("collateral")]
    [InlineData("roots")]
    public void CreateAll_MissingPath_NamesIt(string which)
    {
        var missing = _folder.Combine("nothing-here");
        var options = which == "collateral" ? new EvidenceVerifierOptions { CollateralPath = missing } : new EvidenceVerifierOptions { RootsDirectory = missing };

        var error = Assert.Throws<ArgumentException>(() => EvidenceVerifiers.CreateAll(options));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }
}
