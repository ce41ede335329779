using System.Net;
using System.Security.Cryptography;
using System.Text;
using Mantle.KeyBroker.Tests.Infrastructure;

namespace Mantle.KeyBroker.Tests.Protocol;

public sealed class MalformedRequestTests
{
    public static TheoryData<string, string, string> Bodies => new()
    {
        { "/kbs/v0/auth", "{not json", "not valid JSON" },
        { "/kbs/v0/auth", "[1,2]", "JSON object" },
        { "/kbs/v0/auth", """{"version":"0.1.0","tee":"quantum"}""", "'tee'" },
        { "/kbs/v0/attest", "{\"tee-pubkey\": ", "not valid JSON" },
        { "/kbs/v0/attest", """{"tee-evidence":"AAAA"}""", "'tee-pubkey' is missing" },
        { "/kbs/v0/attest", """{"tee-pubkey":{"kty":"oct","k":"AAAA"},"tee-evidence":"AAAA"}""", "key type 'oct'" },
        { "/kbs/v0/attest", """{"tee-pubkey":{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"},"tee-evidence":"AAAA"}""", "only P-384" },
        { "/kbs/v0/attest", """{"tee-pubkey":{"kty":"EC","crv":"P-384","x":"AAAA","y":"AAAA"},"tee-evidence":"AAAA"}""", "48 bytes" },
        { "/kbs/v0/attest", """{"tee-pubkey":{"kty":"RSA","n":"AQAB","e":"AQAB"},"tee-evidence":"AAAA"}""", "at least 2048" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Post_MalformedBody_Returns400WithClearMessageAndKeepsServing(string path, string body, string expected)
    {
        await using var broker = await TestBroker.StartAsync();
        using var http = broker.Http();
        await RawKbs.AuthAsync(http);
        using var response = await http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await RawKbs.ProblemDetailAsync(response), StringComparison.Ordinal);

        await AssertStillServesAsync(broker);
    }

    [Fact]
    public async Task Attest_PrivateKeyInJwk_Returns400()
    {
        await using var broker = await TestBroker.StartAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var http = broker.Http();
        await RawKbs.AuthAsync(http);
        var jwk = RawKbs.Jwk(key);
        jwk["d"] = Jose.Base64Url.Encode(key.ExportParameters(true).D!);
        using var response = await RawKbs.AttestAsync(http, jwk, [1, 2, 3]);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("private member 'd'", await RawKbs.ProblemDetailAsync(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not base64url!!")]
    [InlineData("")]
    [InlineData("AAECAwQFBgcICQ")]
    public async Task Attest_MalformedEvidence_Returns400AndKeepsServing(string evidence)
    {
        await using var broker = await TestBroker.StartAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var http = broker.Http();
        await RawKbs.AuthAsync(http);
        var body = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object> { ["tee-pubkey"] = RawKbs.Jwk(key), ["tee-evidence"] = evidence });
        using var response = await http.PostAsync("/kbs/v0/attest", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'tee-evidence'", await RawKbs.ProblemDetailAsync(response), StringComparison.Ordinal);

        await AssertStillServesAsync(broker);
    }

    [Fact]
    public async Task Attest_TruncatedSimEvidence_Returns400()
    {
        await using var broker = await TestBroker.StartAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var http = broker.Http();
        var nonce = await RawKbs.AuthAsync(http);
        var evidence = await broker.Evidence(Sim.GoodMeasurement).GetEvidenceAsync(KbsProtocol.ReportData(nonce, RawKbs.Thumbprint(key)));
        using var response = await RawKbs.AttestAsync(http, RawKbs.Jwk(key), evidence[..40]);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'tee-evidence' is malformed", await RawKbs.ProblemDetailAsync(response), StringComparison.Ordinal);
        await AssertStillServesAsync(broker);
    }

    private static async Task AssertStillServesAsync(TestBroker broker)
    {
        using var attester = broker.Attester();
        var token = await attester.AttestAsync(broker.Evidence(Sim.GoodMeasurement));
        Assert.False(string.IsNullOrEmpty(token));
    }
}
