using System.Security.Cryptography;
using Mantle.Attestation.Sim;

namespace Mantle.Attestation.Tests.Sim;

public class SimEvidenceTests
{
    private static readonly byte[] Measurement = Enumerable.Range(0, 48).Select(i => (byte)(0xA0 + i)).ToArray();

    [Fact]
    public async Task VerifyAsync_FreshEvidence_ReturnsSimClaims()
    {
        using var platform = SimulatedTee.CreateEphemeral();
        var time = FakeTime.At("2026-11-25T12:00:00Z");
        var provider = new SimEvidenceProvider(platform, new SimEvidenceProviderOptions { MeasurementOverride = Measurement, TimeProvider = time });
        var reportData = SHA256.HashData("nonce"u8);

        var evidence = await provider.GetEvidenceAsync(reportData);
        var claims = await new SimEvidenceVerifier(platform.ToPublicOnly()).VerifyAsync(evidence);

        Assert.Equal(TeeType.Sim, claims.Tee);
        Assert.Equal("UpToDate", claims.TcbStatus);
        Assert.Equal(Convert.ToHexStringLower(Measurement), claims.Measurement);
        Assert.False(claims.Debug);
        Assert.Equal(64, claims.ReportData.Length);
        Assert.Equal(reportData, claims.ReportData[..32].ToArray());
        Assert.All(claims.ReportData[32..].ToArray(), b => Assert.Equal(0, b));
        Assert.Equal(platform.PlatformKeyId, claims.TeeClaims["sim.platform_key"]);
        using var publicKey = ECDsa.Create();
        publicKey.ImportFromPem(platform.ExportPublicKeyPem());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(publicKey.ExportSubjectPublicKeyInfo())), claims.TeeClaims["sim.platform_key"]);
        Assert.Equal(time.GetUtcNow().ToUnixTimeSeconds(), claims.TeeClaims["sim.timestamp"]);
        Assert.Equal("sim", claims.ToDictionary()["tee"]);
    }

    [Fact]
    public async Task VerifyAsync_DebugOption_ReportsDebug()
    {
        using var platform = SimulatedTee.CreateEphemeral();
        var provider = new SimEvidenceProvider(platform, new SimEvidenceProviderOptions { MeasurementOverride = Measurement, Debug = true });

        var claims = await new SimEvidenceVerifier(platform).VerifyAsync(await provider.GetEvidenceAsync(new byte[64]));

        Assert.True(claims.Debug);
        Assert.Equal(true, claims.TeeClaims["sim.debug"]);
    }

    [Fact]
    public async Task VerifyAsync_AnyFlippedByte_IsRefused()
    {
        using var platform = SimulatedTee.CreateEphemeral();
        var provider = new SimEvidenceProvider(platform, new SimEvidenceProviderOptions { MeasurementOverride = Measurement });
        var evidence = await provider.GetEvidenceAsync(new byte[] { 1, 2, 3 });
        var verifier = new SimEvidenceVerifier(platform);
        await verifier.VerifyAsync(evidence);

        for (var i = 0; i < evidence.Length; i++)
        {
            var tampered = (byte[])evidence.Clone();
            tampered[i] ^= 0x01;

            var error = await Assert.ThrowsAsync<AttestationException>(async () => await verifier.VerifyAsync(tampered));

            Assert.True(
                error.Code is AttestationErrorCode.InvalidSignature or AttestationErrorCode.MalformedEvidence or AttestationErrorCode.Unsupported,
                $"byte {i}: {error.Code}");
        }
    }

    [Fact]
    public async Task VerifyAsync_ChangedReportData_SaysSignatureDoesNotVerify()
    {
        using var platform = SimulatedTee.CreateEphemeral();
        var evidence = await new SimEvidenceProvider(platform, new() { MeasurementOverride = Measurement }).GetEvidenceAsync(new byte[64]);
        evidence[0x48] ^= 0xFF;

        var error = await Assert.ThrowsAsync<AttestationException>(async () => await new SimEvidenceVerifier(platform).VerifyAsync(evidence));

        Assert.Equal(AttestationErrorCode.InvalidSignature, error.Code);
        Assert.Contains("does not verify", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_OtherPlatformKey_IsRefusedNamingBothKeys()
    {
        using var platform = SimulatedTee.CreateEphemeral();
        using var other = SimulatedTee.CreateEphemeral();
        var evidence = await new SimEvidenceProvider(platform, new() { MeasurementOverride = Measurement }).GetEvidenceAsync(new byte[64]);

        var error = await Assert.ThrowsAsync<AttestationException>(async () => await new SimEvidenceVerifier(other).VerifyAsync(evidence));

        Assert.Equal(AttestationErrorCode.InvalidSignature, error.Code);
        Assert.Contains(platform.PlatformKeyId, error.Message, StringComparison.Ordinal);
        Assert.Contains(other.PlatformKeyId, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_ForgedKeyIdWithOtherKeySignature_IsRefused()
    {
        using var platform = SimulatedTee.CreateEphemeral();
        using var attacker = SimulatedTee.CreateEphemeral();
        var forged = await new SimEvidenceProvider(attacker, new() { MeasurementOverride = Measurement }).GetEvidenceAsync(new byte[64]);
        var trusted = await new SimEvidenceProvider(platform, new() { MeasurementOverride = Measurement }).GetEvidenceAsync(new byte[64]);
        trusted.AsSpan(0x88, 32).CopyTo(forged.AsSpan(0x88));

        var error = await Assert.ThrowsAsync<AttestationException>(async () => await new SimEvidenceVerifier(platform).VerifyAsync(forged));

        Assert.Equal(AttestationErrorCode.InvalidSignature, error.Code);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    [InlineData(263)]
    [InlineData(265)]
    public async Task VerifyAsync_WrongLength_IsMalformed(int length)
    {
        using var platform = SimulatedTee.CreateEphemeral();
        var evidence = await new SimEvidenceProvider(platform, new() { MeasurementOverride = Measurement }).GetEvidenceAsync(new byte[64]);
        var resized = new byte[length];
        evidence.AsSpan(0, Math.Min(length, evidence.Length)).CopyTo(resized);

        var error = await Assert.ThrowsAsync<AttestationException>(async () => await new SimEvidenceVerifier(platform).VerifyAsync(resized));

        Assert.Equal(AttestationErrorCode.MalformedEvidence, error.Code);
    }

    [Fact]
    public async Task GetEvidenceAsync_ReportDataOver64Bytes_Throws()
    {
        using var platform = SimulatedTee.CreateEphemeral();
        var provider = new SimEvidenceProvider(platform, new() { MeasurementOverride = Measurement });

        await Assert.ThrowsAsync<ArgumentException>(async () => await provider.GetEvidenceAsync(new byte[65]));
    }

    [Fact]
    public void Constructor_MeasurementOverrideOfWrongLength_NamesOption()
    {
        using var platform = SimulatedTee.CreateEphemeral();

        var error = Assert.Throws<ArgumentException>(() => new SimEvidenceProvider(platform, new() { MeasurementOverride = new byte[32] }));

        Assert.Contains("MeasurementOverride", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ComputeMeasurement_DependsOnFilesAndConfiguration()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.Combine("a.dll"), [1, 2, 3]);
        File.WriteAllBytes(temp.Combine("b.dll"), [4, 5, 6]);
        File.WriteAllBytes(temp.Combine("notes.txt"), [7]);

        var baseline = SimEvidenceProvider.ComputeMeasurement(temp.Path);
        Assert.Equal(48, baseline.Length);
        Assert.Equal(baseline, SimEvidenceProvider.ComputeMeasurement(temp.Path));

        File.WriteAllBytes(temp.Combine("notes.txt"), [8]);
        Assert.Equal(baseline, SimEvidenceProvider.ComputeMeasurement(temp.Path));

        var withConfig = SimEvidenceProvider.ComputeMeasurement(temp.Path, [9, 9]);
        Assert.NotEqual(baseline, withConfig);
        Assert.NotEqual(withConfig, SimEvidenceProvider.ComputeMeasurement(temp.Path, [9, 8]));
        Assert.NotEqual(baseline, SimEvidenceProvider.ComputeMeasurement(temp.Path, []));

        File.WriteAllBytes(temp.Combine("b.dll"), [4, 5, 7]);
        Assert.NotEqual(baseline, SimEvidenceProvider.ComputeMeasurement(temp.Path));

        File.Move(temp.Combine("b.dll"), temp.Combine("c.dll"));
        File.WriteAllBytes(temp.Combine("c.dll"), [4, 5, 6]);
        Assert.NotEqual(baseline, SimEvidenceProvider.ComputeMeasurement(temp.Path));
    }

    [Fact]
    public async Task Provider_DefaultOptions_MeasuresProgramFolder()
    {
        using var platform = SimulatedTee.CreateEphemeral();
        var provider = new SimEvidenceProvider(platform, new() { ProgramFolder = AppContext.BaseDirectory });

        var claims = await new SimEvidenceVerifier(platform).VerifyAsync(await provider.GetEvidenceAsync(new byte[64]));

        Assert.Equal(Convert.ToHexStringLower(SimEvidenceProvider.ComputeMeasurement(AppContext.BaseDirectory)), claims.Measurement);
        Assert.Equal(provider.Measurement, claims.Measurement);
    }

    [Fact]
    public void CanVerify_OnlySimMagic()
    {
        using var platform = SimulatedTee.CreateEphemeral();
        var verifier = new SimEvidenceVerifier(platform);

        Assert.True(verifier.CanVerify("MNTLSIM1"u8));
        Assert.False(verifier.CanVerify("MNTLSIM2"u8));
        Assert.False(verifier.CanVerify(TestData.Bytes("sgx/dcapqvl_sgx_quote_v3.bin")));
    }
}
