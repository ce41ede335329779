using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mantle.KeyBroker.Client;
using Mantle.KeyBroker.Tests.Infrastructure;

namespace Mantle.KeyBroker.Tests.Protocol;

public sealed class FullFlowTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Release_SimEvidenceSatisfiesPolicy_DecryptsToOriginalBytes(bool https)
    {
        await using var broker = await TestBroker.StartAsync(https);
        using var admin = broker.Admin();
        var key = RandomNumberGenerator.GetBytes(32);
        var put = await admin.PutResourceAsync("mantle/model-key/k1", key, Sim.MeasurementPolicy);
        Assert.Equal(1, put.Version);

        using var attester = broker.Attester();
        var token = await attester.AttestAsync(broker.Evidence(Sim.GoodMeasurement));
        Assert.Equal(3, token.Split('.').Length);

        var jwe = await attester.GetResourceJweAsync("mantle/model-key/k1");
        Assert.Equal(5, jwe.Split('.').Length);
        Assert.Equal(key, attester.DecryptJwe(jwe));
    }

    [Fact]
    public async Task Release_ManyConcurrentCallers_AllGetTheirBytes()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var key = RandomNumberGenerator.GetBytes(32);
        await admin.PutResourceAsync("repo/key/busy", key, TestBroker.SimPolicy);
        var attesters = Enumerable.Range(0, 6).Select(_ => broker.Attester()).ToList();
        try
        {
            await Task.WhenAll(attesters.Select(a => a.AttestAsync(broker.Evidence(Sim.GoodMeasurement))));
            var results = await Task.WhenAll(attesters.SelectMany(a => Enumerable.Range(0, 5).Select(_ => a.GetResourceAsync("repo/key/busy"))));
            Assert.All(results, r => Assert.Equal(key, r));
            Assert.True(AuditChain.Verify(await admin.ReadAuditAsync()).IsValid);
        }
        finally
        {
            attesters.ForEach(a => a.Dispose());
        }
    }

    [Fact]
    public async Task Release_RotatedResource_ReleasesNewVersionAndListsWithoutBytes()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var v1 = RandomNumberGenerator.GetBytes(32);
        var v2 = RandomNumberGenerator.GetBytes(32);
        await admin.PutResourceAsync("repo/key/a", v1, TestBroker.SimPolicy);
        var rotated = await admin.RotateResourceAsync("repo/key/a", v2);
        Assert.Equal(2, rotated.Version);

        using var attester = broker.Attester();
        await attester.AttestAsync(broker.Evidence(Sim.GoodMeasurement));
        Assert.Equal(v2, await attester.GetResourceAsync("repo/key/a"));

        var list = await admin.ListResourcesAsync();
        Assert.Equal(["retired", "active"], list.Select(r => r.State));
        Assert.All(list, r => Assert.Equal(32, r.Size));
    }

    [Fact]
    public async Task Release_SessionCookieWithoutBearer_ReleasesResource()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var key = RandomNumberGenerator.GetBytes(16);
        await admin.PutResourceAsync("repo/key/cookie", key, TestBroker.SimPolicy);
        using var teeKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var http = broker.Http();
        var nonce = await RawKbs.AuthAsync(http);
        var evidence = await broker.Evidence(Sim.GoodMeasurement).GetEvidenceAsync(KbsProtocol.ReportData(nonce, RawKbs.Thumbprint(teeKey)));
        using var attested = await RawKbs.AttestAsync(http, RawKbs.Jwk(teeKey), evidence);
        Assert.Equal(System.Net.HttpStatusCode.OK, attested.StatusCode);

        var jwe = await http.GetStringAsync("/kbs/v0/resource/repo/key/cookie");
        using var ecdh = ECDiffieHellman.Create(teeKey.ExportParameters(true));
        Assert.Equal(key, Jose.JWE.Decrypt(jwe, ecdh).PlaintextBytes);
    }

    [Fact]
    public async Task Release_RsaTeeKey_ReturnsRsaOaep256JweThatDecrypts()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var secret = RandomNumberGenerator.GetBytes(32);
        await admin.PutResourceAsync("repo/key/rsa", secret, TestBroker.SimPolicy);
        using var rsa = RSA.Create(3072);
        var p = rsa.ExportParameters(false);
        var n = Jose.Base64Url.Encode(p.Modulus!);
        var e = Jose.Base64Url.Encode(p.Exponent!);
        var thumbprint = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{{\"e\":\"{e}\",\"kty\":\"RSA\",\"n\":\"{n}\"}}"));
        using var http = broker.Http();
        var nonce = await RawKbs.AuthAsync(http);
        var evidence = await broker.Evidence(Sim.GoodMeasurement).GetEvidenceAsync(KbsProtocol.ReportData(nonce, thumbprint));
        using var attested = await RawKbs.AttestAsync(http, new Dictionary<string, object> { ["kty"] = "RSA", ["n"] = n, ["e"] = e }, evidence);
        Assert.Equal(System.Net.HttpStatusCode.OK, attested.StatusCode);

        var jwe = await http.GetStringAsync("/kbs/v0/resource/repo/key/rsa");
        using var header = System.Text.Json.JsonDocument.Parse(Jose.Base64Url.Decode(jwe.Split('.')[0]));
        Assert.Equal("RSA-OAEP-256", header.RootElement.GetProperty("alg").GetString());
        Assert.Equal("A256GCM", header.RootElement.GetProperty("enc").GetString());
        Assert.Equal("repo/key/rsa", header.RootElement.GetProperty("mantle-resource").GetString());
        Assert.Equal(secret, Jose.JWE.Decrypt(jwe, rsa).PlaintextBytes);
    }

    [Fact]
    public async Task Certificate_AttestedKey_ChainsToBrokerCaWithClaimsDigest()
    {
        await using var broker = await TestBroker.StartAsync();
        using var teeKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var attester = new KeyBrokerClient(broker.Url, null, teeKey);
        await attester.AttestAsync(broker.Evidence(Sim.GoodMeasurement));

        var pem = await attester.RequestCertificateAsync(["model.localhost"]);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(pem);
        Assert.Equal(2, chain.Count);
        using var leaf = chain[0];
        using var ca = X509Certificate2.CreateFromPem(broker.Credential.CaCertificatePem);

        using var x509 = new X509Chain();
        x509.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        x509.ChainPolicy.CustomTrustStore.Add(ca);
        x509.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        x509.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.1"));
        Assert.True(x509.Build(leaf), string.Join("; ", x509.ChainStatus.Select(s => s.StatusInformation)));

        Assert.Equal(teeKey.ExportSubjectPublicKeyInfo(), leaf.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.Equal(["model.localhost"], leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        // Both ends are the same instant plus the lifetime, cut to whole seconds alike: the span is exactly the default 24 h.
        Assert.Equal(TimeSpan.FromHours(24), leaf.NotAfter - leaf.NotBefore);

        var ext = leaf.Extensions[MantleOids.AttestationClaimsDigest];
        Assert.NotNull(ext);
        var reader = new AsnReader(ext.RawData, AsnEncodingRules.DER).ReadSequence();
        Assert.Equal("2.16.840.1.101.3.4.2.1", reader.ReadObjectIdentifier());
        var digest = Convert.ToHexStringLower(reader.ReadOctetString());
        var payload = Jose.JWT.Payload(attester.Token!);
        Assert.Contains($"\"claims_digest\":\"{digest}\"", payload, StringComparison.Ordinal);

        var claims = BrokerCertificateClaims.Read(leaf);
        Assert.NotNull(claims);
        Assert.Equal(Mantle.Attestation.TeeType.Sim, claims.Tee);
        Assert.Equal(Convert.ToHexStringLower(Sim.GoodMeasurement), claims.Measurement);
        Assert.Equal(digest, Convert.ToHexStringLower(AttestationClaimsJson.Digest(claims)));
    }

    [Fact]
    public void CertificateClaims_AlteredClaimsText_AreRefusedAgainstTheDigest()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var claims = new Mantle.Attestation.AttestationClaims
        {
            Tee = Mantle.Attestation.TeeType.Sim,
            Measurement = new string('a', 96),
            Debug = false,
            TcbStatus = "UpToDate",
            ReportData = new byte[64],
        };
        var extensions = BrokerCertificateClaims.CreateExtensions(claims);
        var forged = new AsnWriter(AsnEncodingRules.DER);
        forged.WriteCharacterString(UniversalTagNumber.UTF8String, AttestationClaimsJson.Canonical(claims).Replace(new string('a', 96), new string('b', 96), StringComparison.Ordinal));

        using var genuine = SelfSigned(key, extensions);
        using var altered = SelfSigned(key, [extensions[0], new X509Extension(MantleOids.AttestationClaims, forged.Encode(), false)]);
        using var withoutClaims = SelfSigned(key, []);

        Assert.Equal(claims.Measurement, BrokerCertificateClaims.Read(genuine)!.Measurement);
        var refused = Assert.Throws<FormatException>(() => BrokerCertificateClaims.Read(altered));
        Assert.Contains("do not match their digest", refused.Message, StringComparison.Ordinal);
        Assert.Null(BrokerCertificateClaims.Read(withoutClaims));
    }

    private static X509Certificate2 SelfSigned(ECDsa key, IEnumerable<X509Extension> extensions)
    {
        var request = new CertificateRequest("CN=claims", key, HashAlgorithmName.SHA384);
        foreach (var extension in extensions)
        {
            request.CertificateExtensions.Add(extension);
        }

        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
    }

    [Fact]
    public async Task Jwks_AttestationToken_VerifiesWithPublishedKey()
    {
        await using var broker = await TestBroker.StartAsync();
        using var attester = broker.Attester();
        var token = await attester.AttestAsync(broker.Evidence(Sim.GoodMeasurement));
        using var http = broker.Http();
        var jwks = Jose.JwkSet.FromJson(await http.GetStringAsync("/.well-known/jwks.json"), Jose.JWT.DefaultSettings.JsonMapper);
        var jwk = jwks.Keys.Single();
        Assert.Equal(jwk.KeyId, Jose.JWT.Headers(token)["kid"].ToString());
        var payload = Jose.JWT.Decode(token, jwk.ECDsaKey(), Jose.JwsAlgorithm.ES384);
        Assert.Contains("\"tee\":\"sim\"", payload, StringComparison.Ordinal);
        Assert.Contains("\"jkt\":", payload, StringComparison.Ordinal);

        var caPem = await http.GetStringAsync("/kbs/v0/ca");
        Assert.Equal(broker.Credential.CaCertificatePem.Trim(), caPem.Trim());
    }
}
