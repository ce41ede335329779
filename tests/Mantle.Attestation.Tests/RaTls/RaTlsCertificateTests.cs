using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mantle.Attestation.Policy;
using Mantle.Attestation.RaTls;
using Mantle.Attestation.Sim;

namespace Mantle.Attestation.Tests.RaTls;

public sealed class RaTlsCertificateTests : IDisposable
{
    private static readonly byte[] Measurement = Enumerable.Repeat((byte)0x5A, 48).ToArray();
    private readonly SimulatedTee _platform = SimulatedTee.CreateEphemeral();

    public void Dispose() => _platform.Dispose();

    private SimEvidenceProvider Provider() => new(_platform, new() { MeasurementOverride = Measurement });

    private RaTlsVerifier Verifier(TimeProvider? time = null) => new(new EvidenceVerifier([new SimEvidenceVerifier(_platform)]), time);

    [Theory]
    [InlineData(384)]
    [InlineData(256)]
    public async Task VerifyAsync_CreatedWithSimEvidence_ReturnsClaimsAndBindsKey(int keySize)
    {
        using var certificate = await RaTlsCertificate.CreateAsync(Provider(), new RaTlsCertificateOptions { KeySize = keySize, Nonce = [1, 2, 3], DnsNames = { "localhost" } });

        var result = await Verifier().VerifyAsync(certificate);

        Assert.True(certificate.HasPrivateKey);
        Assert.True(result.HasEvidenceExtension);
        Assert.False(result.HasLegacyExtension);
        Assert.Equal(TeeType.Sim, result.Claims.Tee);
        Assert.Equal(Convert.ToHexStringLower(Measurement), result.Claims.Measurement);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo())), result.PublicKeyHash);
        Assert.Equal([1, 2, 3], result.Nonce);
        Assert.NotNull(certificate.Extensions[RaTlsCertificate.EvidenceExtensionOid]);
    }

    [Fact]
    public async Task CreateAsync_ExtensionLayout_IsTaggedArrayWithPubkeyHashClaims()
    {
        using var certificate = await RaTlsCertificate.CreateAsync(Provider());
        var value = certificate.Extensions[RaTlsCertificate.EvidenceExtensionOid]!.RawData;

        var reader = new CborReader(value);
        Assert.Equal((CborTag)60000, reader.ReadTag());
        Assert.Equal(2, reader.ReadStartArray());
        var evidence = reader.ReadByteString();
        var claims = reader.ReadByteString();
        var claimsReader = new CborReader(claims);
        Assert.Equal(1, claimsReader.ReadStartMap());
        Assert.Equal("pubkey-hash", claimsReader.ReadTextString());
        var entry = new CborReader(claimsReader.ReadByteString());
        Assert.Equal(2, entry.ReadStartArray());
        Assert.Equal(1u, entry.ReadUInt32());
        Assert.Equal(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()), entry.ReadByteString());
        var simClaims = await new SimEvidenceVerifier(_platform).VerifyAsync(evidence);
        Assert.Equal(SHA256.HashData(claims), simClaims.ReportData[..32].ToArray());
    }

    [Fact]
    public async Task VerifyAsync_WithPolicy_ReportsDecision()
    {
        using var certificate = await RaTlsCertificate.CreateAsync(Provider());

        var refused = await Verifier().VerifyAsync(certificate, AttestationPolicy.Default);
        var allowed = await Verifier().VerifyAsync(certificate, AttestationPolicy.Parse("""{"version": 1, "tees": ["sim"]}"""));

        Assert.False(refused.Allowed);
        Assert.Equal("tee", Assert.Single(refused.Decision!.Failures).Claim);
        Assert.True(allowed.Allowed);
    }

    [Fact]
    public async Task VerifyAsync_EvidenceMovedToAnotherKey_IsRefused()
    {
        using var original = await RaTlsCertificate.CreateAsync(Provider());
        var stolen = original.Extensions[RaTlsCertificate.EvidenceExtensionOid]!.RawData;
        using var thief = SelfSigned(new X509Extension(RaTlsCertificate.EvidenceExtensionOid, stolen, false));

        var error = await Assert.ThrowsAsync<AttestationException>(async () => await Verifier().VerifyAsync(thief));

        Assert.Equal(AttestationErrorCode.ReportDataMismatch, error.Code);
        Assert.Contains("pubkey-hash", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_ReportDataNotHashOfClaims_IsRefused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var claims = ClaimsFor(key.ExportSubjectPublicKeyInfo());
        var evidence = await Provider().GetEvidenceAsync(SHA256.HashData("something else"u8));
        using var certificate = SelfSigned(new X509Extension(RaTlsCertificate.EvidenceExtensionOid, Tagged(60000, evidence, claims), false), key);

        var error = await Assert.ThrowsAsync<AttestationException>(async () => await Verifier().VerifyAsync(certificate));

        Assert.Equal(AttestationErrorCode.ReportDataMismatch, error.Code);
        Assert.Contains("report data", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_HandMadeBindingWithCorrectHash_IsAccepted()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var claims = ClaimsFor(key.ExportSubjectPublicKeyInfo());
        var evidence = await Provider().GetEvidenceAsync(SHA256.HashData(claims));
        using var certificate = SelfSigned(new X509Extension(RaTlsCertificate.EvidenceExtensionOid, Tagged(60000, evidence, claims), false), key);

        var result = await Verifier().VerifyAsync(certificate);

        Assert.Equal(TeeType.Sim, result.Claims.Tee);
    }

    [Fact]
    public async Task VerifyAsync_OtherCborTag_IsUnsupported()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var claims = ClaimsFor(key.ExportSubjectPublicKeyInfo());
        var evidence = await Provider().GetEvidenceAsync(SHA256.HashData(claims));
        using var certificate = SelfSigned(new X509Extension(RaTlsCertificate.EvidenceExtensionOid, Tagged(60123, evidence, claims), false), key);

        var error = await Assert.ThrowsAsync<AttestationException>(async () => await Verifier().VerifyAsync(certificate));

        Assert.Equal(AttestationErrorCode.Unsupported, error.Code);
        Assert.Contains("60123", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_TamperedEvidenceInsideCertificate_IsRefused()
    {
        using var certificate = await RaTlsCertificate.CreateAsync(Provider());
        var der = certificate.RawData;
        var evidenceAt = der.AsSpan().IndexOf("MNTLSIM1"u8);
        Assert.True(evidenceAt > 0);

        foreach (var offset in new[] { 0x18, 0x48, 0x50, 0xB0 })
        {
            var tampered = (byte[])der.Clone();
            tampered[evidenceAt + offset] ^= 0x04;
            using var altered = X509CertificateLoader.LoadCertificate(tampered);

            var error = await Assert.ThrowsAsync<AttestationException>(async () => await Verifier().VerifyAsync(altered));

            Assert.Equal(AttestationErrorCode.InvalidSignature, error.Code);
        }
    }

    [Fact]
    public async Task VerifyAsync_ResignedAfterTamperingEvidence_IsRefusedByEvidenceSignature()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var claims = ClaimsFor(key.ExportSubjectPublicKeyInfo());
        var evidence = await Provider().GetEvidenceAsync(SHA256.HashData(claims));
        evidence[0x18] ^= 1;
        using var certificate = SelfSigned(new X509Extension(RaTlsCertificate.EvidenceExtensionOid, Tagged(60000, evidence, claims), false), key);

        var error = await Assert.ThrowsAsync<AttestationException>(async () => await Verifier().VerifyAsync(certificate));

        Assert.Equal(AttestationErrorCode.InvalidSignature, error.Code);
        Assert.Contains("sim evidence signature", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_Expired_IsRefused()
    {
        var created = FakeTime.At("2026-01-01T00:00:00Z");
        using var certificate = await RaTlsCertificate.CreateAsync(Provider(), new() { Lifetime = TimeSpan.FromDays(1), TimeProvider = created });

        await Verifier(FakeTime.At("2026-01-01T12:00:00Z")).VerifyAsync(certificate);
        var error = await Assert.ThrowsAsync<AttestationException>(async () => await Verifier(FakeTime.At("2026-01-03T00:00:00Z")).VerifyAsync(certificate));
        var early = await Assert.ThrowsAsync<AttestationException>(async () => await Verifier(FakeTime.At("2025-12-31T00:00:00Z")).VerifyAsync(certificate));

        Assert.Equal(AttestationErrorCode.InvalidCertificateChain, error.Code);
        Assert.Equal(AttestationErrorCode.InvalidCertificateChain, early.Code);
    }

    [Fact]
    public async Task VerifyAsync_NoRaTlsExtension_IsMalformed()
    {
        using var plain = SelfSigned(new X509BasicConstraintsExtension(false, false, 0, false));

        var error = await Assert.ThrowsAsync<AttestationException>(async () => await Verifier().VerifyAsync(plain));

        Assert.Equal(AttestationErrorCode.MalformedEvidence, error.Code);
        Assert.Contains("2.23.133.5.4.9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadCertificate_NotACertificate_IsMalformed()
    {
        var error = Assert.Throws<AttestationException>(() => RaTlsVerifier.LoadCertificate("hello"u8));

        Assert.Equal(AttestationErrorCode.MalformedEvidence, error.Code);
    }

    internal static byte[] ClaimsFor(byte[] spki)
    {
        var entry = new CborWriter();
        entry.WriteStartArray(2);
        entry.WriteInt32(1);
        entry.WriteByteString(SHA256.HashData(spki));
        entry.WriteEndArray();
        var claims = new CborWriter();
        claims.WriteStartMap(1);
        claims.WriteTextString("pubkey-hash");
        claims.WriteByteString(entry.Encode());
        claims.WriteEndMap();
        return claims.Encode();
    }

    internal static byte[] Tagged(ulong tag, byte[] evidence, byte[] claims)
    {
        var writer = new CborWriter();
        writer.WriteTag((CborTag)tag);
        writer.WriteStartArray(2);
        writer.WriteByteString(evidence);
        writer.WriteByteString(claims);
        writer.WriteEndArray();
        return writer.Encode();
    }

    internal static X509Certificate2 SelfSigned(X509Extension extension, ECDsa? key = null)
    {
        using var ownKey = key is null ? ECDsa.Create(ECCurve.NamedCurves.nistP384) : null;
        var request = new CertificateRequest("CN=test", key ?? ownKey!, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(extension);
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadCertificate(created.RawData);
    }
}
