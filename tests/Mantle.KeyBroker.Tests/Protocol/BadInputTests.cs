using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Mantle.KeyBroker.Client;
using Mantle.KeyBroker.Tests.Infrastructure;
using Mantle.Serving.Tests.Protocol;

namespace Mantle.KeyBroker.Tests.Protocol;

/// <summary>
/// The broker's bad-input suite, with generated cases, on one running broker: every malformed request to the KBS
/// and admin endpoints is refused with a problem document whose detail names the problem, never a 500 or a stack
/// trace, and the broker answers a good request right after.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BadInputTests : IAsyncLifetime
{
    /// <summary>A valid P-384 public key as a JWK, so that the fields after it are reached.</summary>
    private static readonly string Jwk = System.Text.Json.JsonSerializer.Serialize(RawKbs.Jwk(System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP384)));

    /// <summary>Where a string goes: the endpoint, the body around the hole, and the location the problem must name.</summary>
    private static readonly (string Path, string Before, string After, string Location)[] StringSlots =
    [
        ("/kbs/v0/auth", "{\"version\": \"0.1.0\", \"tee\": \"", "\"}", "'tee'"),
        ("/kbs/v0/auth", "{\"", "\": 1, \"tee\": \"sim\"}", "A property name in the request body"),
        ("/kbs/v0/attest", "{\"tee-pubkey\": {\"kty\": \"EC\", \"crv\": \"", "\", \"x\": \"AAAA\", \"y\": \"AAAA\"}, \"tee-evidence\": \"AAAA\"}", "'tee-pubkey.crv'"),
        ("/kbs/v0/attest", "{\"tee-pubkey\": " + Jwk + ", \"tee-evidence\": \"", "\"}", "'tee-evidence'"),
        ("/kbs/v0/attest", "{\"tee-pubkey\": {\"", "\": 1}, \"tee-evidence\": \"AAAA\"}", "A property name in 'tee-pubkey'"),
        ("/kbs/v0/certificate", "{\"csr\": \"", "\"}", "'csr'"),
        ("/admin/v0/resources/repo/key/bad", "{\"data\": \"", "\"}", "'data'"),
        ("/admin/v0/resources/repo/key/bad", "{\"data\": \"AAAA\", \"policy\": {\"version\": 1, \"tees\": [\"sim\", \"", "\"]}}", "'policy.tees[1]'"),
        ("/admin/v0/policies/default", "{\"version\": 1, \"tees\": [\"", "\"]}", "'tees[0]'"),
        ("/admin/v0/policies/certificate", "{\"dns_names\": [\"", "\"]}", "'dns_names[0]'"),
    ];

    /// <summary>Fields given a value of the wrong JSON type: endpoint, body with a hole, kinds allowed, what the problem names.</summary>
    private static readonly (string Path, string Template, JsonKind[] Allowed, string Mention)[] TypedFields =
    [
        ("/kbs/v0/auth", "{\"version\": \"0.1.0\", \"tee\": @}", [JsonKind.String], "'tee'"),
        ("/kbs/v0/attest", "{\"tee-pubkey\": @, \"tee-evidence\": \"AAAA\"}", [JsonKind.Object], "'tee-pubkey'"),
        ("/kbs/v0/attest", "{\"tee-pubkey\": " + Jwk + ", \"tee-evidence\": @}", [JsonKind.String], "'tee-evidence'"),
        ("/kbs/v0/certificate", "{\"csr\": @}", [JsonKind.String], "'csr'"),
        ("/admin/v0/resources/repo/key/typed", "{\"data\": @}", [JsonKind.String], "'data'"),
        ("/admin/v0/policies/default", "@", [JsonKind.Object], "JSON object"),
    ];

    private TestBroker _broker = null!;
    private HttpClient _http = null!;
    private BrokerAdminClient _admin = null!;
    private string _token = null!;
    private int _checks;

    public async Task InitializeAsync()
    {
        // Many requests reach auth and attest: lift the per-address limit, which has its own tests.
        _broker = await TestBroker.StartAsync(configure: o => o.RateLimitPermits = 1_000_000);
        _http = _broker.Http();
        _admin = _broker.Admin();
        using var attester = _broker.Attester();
        _token = await attester.AttestAsync(_broker.Evidence(Sim.GoodMeasurement));
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        _http.Dispose();
        await _broker.DisposeAsync();
    }

    [Property(MaxTest = 100)]
    public Property Post_StringThatIsNotUtf8Text_Returns400NamingTheField() =>
        Prop.ForAll(Gen.Elements(StringSlots).ToArbitrary(), BadJson.NotTextContent.ToArbitrary(), (slot, content) =>
        {
            var (path, before, after, location) = slot;
            AssertProblem(Send(path, BadJson.Body(before, content, after)), HttpStatusCode.BadRequest, location, "is not valid UTF-8 text");
        });

    [Property(MaxTest = 100)]
    public Property Post_BodyThatIsNotJson_Returns400() =>
        Prop.ForAll(Gen.Elements(StringSlots.Select(s => s.Path).Distinct().ToArray()).ToArbitrary(), BadJson.NonJsonBody.ToArbitrary(), (path, body) =>
            AssertProblem(Send(path, body), HttpStatusCode.BadRequest, "JSON"));

    [Property(MaxTest = 20)]
    public Property Post_NestingPastTheDepthLimit_Returns400() =>
        Prop.ForAll(BadJson.DeeplyNested(65).ToArbitrary(), nested =>
            AssertProblem(Send("/kbs/v0/auth", Encoding.UTF8.GetBytes($$"""{"tee": {{nested}}}""")), HttpStatusCode.BadRequest, "not valid JSON"));

    [Property(MaxTest = 100)]
    public Property Post_FieldOfWrongType_Returns400NamingTheField() =>
        Prop.ForAll(BadJson.WrongType(TypedFields, f => f.Allowed), pick =>
        {
            var ((path, template, _, mention), value) = pick;
            AssertProblem(Send(path, Encoding.UTF8.GetBytes(template.Replace("@", value, StringComparison.Ordinal))), HttpStatusCode.BadRequest, mention);
        });

    /// <summary>Query values that are not one integer in range: words, fractions, signs, overflow, repeats.</summary>
    private static Gen<string> BadQueryValue(long min, long max) => Gen.OneOf(
        Gen.Elements("abc", "", "1.5", "1e3", "+1", " 1", "0x10", "NaN", "99999999999999999999999", "1&{0}=2"),
        Gen.Choose(1, 1_000_000).Select(n => (min - n).ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Choose(1, 1_000_000).Select(n => max == long.MaxValue ? "9223372036854775808" : (max + n).ToString(System.Globalization.CultureInfo.InvariantCulture)));

    [Property(MaxTest = 100)]
    public Property Audit_QueryParameterThatDoesNotParseOrIsOutOfRange_Returns400NamingIt() =>
        Prop.ForAll(Gen.Elements(("after", 0L, long.MaxValue), ("limit", 1L, 10_000L)).SelectMany(p => BadQueryValue(p.Item2, p.Item3).Select(v => (p.Item1, v))).ToArbitrary(), pick =>
        {
            var (name, value) = pick;
            var query = $"{name}={Uri.EscapeDataString(value.Replace("{0}", name, StringComparison.Ordinal))}";
            AssertProblem(Send($"/admin/v0/audit?{query}", null, HttpMethod.Get), HttpStatusCode.BadRequest, $"'{name}'", "integer from");
        });

    [Fact]
    public void Audit_ValidQuery_ReturnsEntries()
    {
        var (status, body) = Send("/admin/v0/audit?after=0&limit=10000", null, HttpMethod.Get);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(body).RootElement.ValueKind);
    }

    /// <summary>Resource paths that are not REPO/TYPE/TAG: a wrong number of segments, or a segment with a character outside the rule or too long.</summary>
    private static Gen<string> BadResourcePath =>
        from count in Gen.Choose(1, 5)
        from segments in Gen.ArrayOf(Segment, count)
        from broken in Gen.Choose(0, count - 1)
        from badChar in Gen.Elements("a b", "a+b", "ä", "a%b", "a:b", "a*b", "a@b", new string('s', 129))
        let parts = count == 3 ? segments.Select((s, i) => i == broken ? badChar : s).ToArray() : segments
        select string.Join('/', parts.Select(Uri.EscapeDataString));

    private static Gen<string> Segment => Gen.Elements("models", "key", "resnet-18", "v1.2", "a_b", "x");

    [Property(MaxTest = 100)]
    public Property Admin_ResourcePathBreakingTheRule_Returns400StatingTheRule() =>
        Prop.ForAll(BadResourcePath.ToArbitrary(), Gen.Choose(0, 5).ToArbitrary(), (path, call) =>
        {
            var (method, uri) = call switch
            {
                0 => (HttpMethod.Put, $"/admin/v0/resources/{path}"),
                1 => (HttpMethod.Post, $"/admin/v0/resources/{path}/rotate"),
                2 => (HttpMethod.Post, $"/admin/v0/resources/{path}/revoke"),
                3 => (HttpMethod.Put, $"/admin/v0/policies/resource/{path}"),
                4 => (HttpMethod.Get, $"/admin/v0/policies/resource/{path}"),
                _ => (HttpMethod.Get, $"/kbs/v0/resource/{path}"),
            };
            AssertProblem(Send(uri, Encoding.UTF8.GetBytes("""{"data": "AAAA"}"""), method), HttpStatusCode.BadRequest, "REPO/TYPE/TAG", "1 to 128");
        });

    [Theory]
    [InlineData("a/b")]
    [InlineData("a/b/c/d")]
    [InlineData("a/b/c d")]
    public async Task AdminClient_BadResourcePath_ShowsTheRule(string path)
    {
        using var admin = _broker.Admin();

        var ex = await Assert.ThrowsAsync<KeyBrokerException>(() => admin.PutResourceAsync(path, [1, 2, 3]));

        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Contains("REPO/TYPE/TAG", ex.Detail, StringComparison.Ordinal);
        Assert.Contains("REPO/TYPE/TAG", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/nothing")]
    [InlineData("DELETE", "/kbs/v0/auth")]
    [InlineData("GET", "/admin/v0/resources/a/b/c")]
    public void Request_WithoutEndpoint_Returns404ProblemNamingIt(string method, string path)
    {
        var reply = Send(path, null, new HttpMethod(method));
        AssertProblem(reply, HttpStatusCode.NotFound, $"No endpoint serves {method} {path}");
    }

    private (HttpStatusCode Status, string Body) Send(string path, byte[]? body, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? (path.StartsWith("/admin/v0/resources/", StringComparison.Ordinal) || path.StartsWith("/admin/v0/policies/", StringComparison.Ordinal) ? HttpMethod.Put : HttpMethod.Post), path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        if (path.StartsWith("/admin/", StringComparison.Ordinal))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _admin.CreateBearerToken());
        }
        else if (path.StartsWith("/kbs/v0/certificate", StringComparison.Ordinal))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        }

        using var response = _http.SendAsync(request).GetAwaiter().GetResult();
        return (response.StatusCode, response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
    }

    private void AssertProblem((HttpStatusCode Status, string Body) reply, HttpStatusCode status, params string[] mentions)
    {
        Assert.True(reply.Status == status, $"status {reply.Status}: {reply.Body}");
        using var problem = JsonDocument.Parse(reply.Body);
        Assert.True(problem.RootElement.TryGetProperty("title", out _), reply.Body);
        BadJson.AssertNames(reply.Body, problem.RootElement.GetProperty("detail").GetString()!, mentions);

        // A good request: every tenth time an auth, which reads JSON and writes a session (a durable write, too
        // slow to repeat after each of a thousand cases); otherwise the CA certificate.
        var (after, body) = _checks++ % 10 == 0
            ? Send("/kbs/v0/auth", Encoding.UTF8.GetBytes("""{"version": "0.1.0", "tee": "sim"}"""))
            : Send("/kbs/v0/ca", null, HttpMethod.Get);
        Assert.True(after == HttpStatusCode.OK, $"a good request after the bad one got {after}: {body}");
    }
}
