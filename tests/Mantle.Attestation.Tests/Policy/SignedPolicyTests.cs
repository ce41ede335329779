using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Mantle.Attestation.Policy;

namespace Mantle.Attestation.Tests.Policy;

public class SignedPolicyTests
{
    private const string Json = """{"version": 1, "tees": ["sim"], "claims": {"measurement": {"equals": "00ff"}}}""";

    [Fact]
    public void Verify_SignedByTrustedAuditor_ReturnsExactPolicy()
    {
        using var auditor = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var signed = SignedPolicy.Sign(Json, auditor);

        var policy = SignedPolicy.Verify(signed, auditor.ExportSubjectPublicKeyInfoPem());

        Assert.Equal(Json, policy.Json);
        Assert.Equal([TeeType.Sim], policy.Tees);
        var header = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(signed.Split('.')[0]));
        Assert.Contains("\"alg\":\"ES384\"", header, StringComparison.Ordinal);
        Assert.Contains(SignedPolicy.KeyId(auditor), header, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_OtherAuditorKey_IsRefusedNamingKeys()
    {
        using var auditor = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var signed = SignedPolicy.Sign(Json, auditor);

        var error = Assert.Throws<AttestationException>(() => SignedPolicy.Verify(signed, other));

        Assert.Equal(AttestationErrorCode.InvalidPolicy, error.Code);
        Assert.Contains("signature does not verify", error.Message, StringComparison.Ordinal);
        Assert.Contains(SignedPolicy.KeyId(auditor), error.Message, StringComparison.Ordinal);
        Assert.Contains(SignedPolicy.KeyId(other), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_TamperedPayload_IsRefused()
    {
        using var auditor = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var parts = SignedPolicy.Sign(Json, auditor).Split('.');
        var looser = Json.Replace("00ff", "00fe", StringComparison.Ordinal);
        var tampered = parts[0] + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(looser)) + "." + parts[2];

        var error = Assert.Throws<AttestationException>(() => SignedPolicy.Verify(tampered, auditor));

        Assert.Equal(AttestationErrorCode.InvalidPolicy, error.Code);
        Assert.Contains("signature does not verify", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_EverySignatureByteFlipped_IsRefused()
    {
        using var auditor = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var parts = SignedPolicy.Sign(Json, auditor).Split('.');
        var signature = Base64Url.DecodeFromChars(parts[2]);

        for (var i = 0; i < signature.Length; i++)
        {
            var bad = (byte[])signature.Clone();
            bad[i] ^= 0x80;
            var token = parts[0] + "." + parts[1] + "." + Base64Url.EncodeToString(bad);

            Assert.Equal(AttestationErrorCode.InvalidPolicy, Assert.Throws<AttestationException>(() => SignedPolicy.Verify(token, auditor)).Code);
        }
    }

    [Fact]
    public void Verify_AlgNone_IsRefused()
    {
        using var auditor = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var header = Base64Url.EncodeToString("""{"alg":"none"}"""u8);
        var token = header + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Json)) + ".";

        var error = Assert.Throws<AttestationException>(() => SignedPolicy.Verify(token, auditor));

        Assert.Contains("must be ES384", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a jws")]
    [InlineData("a.b")]
    [InlineData("!!.??.**")]
    public void Verify_Garbage_IsInvalidPolicy(string token)
    {
        using var auditor = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.Equal(AttestationErrorCode.InvalidPolicy, Assert.Throws<AttestationException>(() => SignedPolicy.Verify(token, auditor)).Code);
    }

    [Fact]
    public void Sign_InvalidPolicy_IsRefusedBeforeSigning()
    {
        using var auditor = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        var error = Assert.Throws<AttestationException>(() => SignedPolicy.Sign("""{"version": 1, "allow_debugg": true}""", auditor));

        Assert.Contains("$.allow_debugg", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_P256Key_Throws()
    {
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.Throws<ArgumentException>(() => SignedPolicy.Sign(Json, p256));
    }
}
