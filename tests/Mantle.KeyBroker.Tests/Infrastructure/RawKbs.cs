using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Jose;

namespace Mantle.KeyBroker.Tests.Infrastructure;

/// <summary>Protocol steps as plain HTTP, so tests can send what a well-behaved client never would.</summary>
public static class RawKbs
{
    public static async Task<string> AuthAsync(HttpClient http, string tee = "sim")
    {
        using var response = await http.PostAsJsonAsync("/kbs/v0/auth", new { version = "0.1.0", tee });
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("nonce").GetString()!;
    }

    public static Dictionary<string, object> Jwk(ECDsa key)
    {
        var p = key.ExportParameters(false);
        return new Dictionary<string, object> { ["kty"] = "EC", ["crv"] = "P-384", ["x"] = Base64Url.Encode(p.Q.X!), ["y"] = Base64Url.Encode(p.Q.Y!) };
    }

    public static byte[] Thumbprint(ECDsa key)
    {
        var p = key.ExportParameters(false);
        var canonical = $"{{\"crv\":\"P-384\",\"kty\":\"EC\",\"x\":\"{Base64Url.Encode(p.Q.X!)}\",\"y\":\"{Base64Url.Encode(p.Q.Y!)}\"}}";
        return SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonical));
    }

    public static Task<HttpResponseMessage> AttestAsync(HttpClient http, object jwk, byte[] evidence) =>
        http.PostAsJsonAsync("/kbs/v0/attest", new Dictionary<string, object> { ["tee-pubkey"] = jwk, ["tee-evidence"] = Base64Url.Encode(evidence) });

    public static async Task<string> ProblemDetailAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        Assert.True(doc.RootElement.TryGetProperty("title", out _), "problem has a title: " + text);
        return doc.RootElement.GetProperty("detail").GetString()!;
    }
}
