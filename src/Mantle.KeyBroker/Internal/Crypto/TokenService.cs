using System.Security.Cryptography;
using System.Text.Json;
using Jose;
using Mantle.Attestation;
using Microsoft.Extensions.Options;

namespace Mantle.KeyBroker.Internal.Crypto;

/// <summary>Issues and checks attestation tokens (JWT, ES384, signed by the token key).</summary>
internal sealed class TokenService(BrokerKeys keys, IOptions<KeyBrokerOptions> options, TimeProvider time)
{
    public (string Token, DateTimeOffset Expires) Issue(AttestationClaims claims, TeePublicKey teeKey)
    {
        var now = time.GetUtcNow();
        var expires = now + options.Value.TokenLifetime;
        var payload = new Dictionary<string, object>
        {
            ["iss"] = options.Value.Issuer,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["jti"] = Base64Url.Encode(RandomNumberGenerator.GetBytes(16)),
            ["cnf"] = new Dictionary<string, object> { ["jkt"] = teeKey.ThumbprintText },
            ["tee-pubkey"] = teeKey.Jwk,
            ["claims"] = AttestationClaimsJson.ToSorted(claims),
            ["claims_digest"] = Convert.ToHexStringLower(AttestationClaimsJson.Digest(claims)),
        };
        var headers = new Dictionary<string, object> { ["kid"] = keys.TokenKeyId, ["typ"] = "JWT" };
        return (JWT.Encode(payload, keys.TokenKey, JwsAlgorithm.ES384, headers), expires);
    }

    /// <summary>Checks signature, key id, issuer and lifetime; returns the token's contents or a problem for the caller.</summary>
    public TokenContents? Validate(string token, out string? problem)
    {
        problem = null;
        string payload;
        try
        {
            var headers = JWT.Headers(token);
            if (!headers.TryGetValue("kid", out var kid) || kid?.ToString() != keys.TokenKeyId)
            {
                problem = "The attestation token was not signed by this broker's current token key; attest again.";
                return null;
            }

            payload = JWT.Decode(token, keys.TokenKey, JwsAlgorithm.ES384);
        }
        catch (Exception ex) when (ex is JoseException or FormatException or ArgumentException or JsonException or CryptographicException or InvalidOperationException)
        {
            problem = "The attestation token is malformed or its signature does not verify; attest again.";
            return null;
        }

        using var doc = JsonDocument.Parse(payload);
        var root = doc.RootElement;
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (!root.TryGetProperty("iss", out var iss) || iss.GetString() != options.Value.Issuer)
        {
            problem = "The attestation token was issued by another issuer.";
            return null;
        }

        if (!root.TryGetProperty("exp", out var exp) || exp.GetInt64() <= now)
        {
            problem = "The attestation token has expired; authenticate and attest again.";
            return null;
        }

        if (root.TryGetProperty("nbf", out var nbf) && nbf.GetInt64() > now + 60)
        {
            problem = "The attestation token is not valid yet.";
            return null;
        }

        var key = TeePublicKey.TryParse(root.GetProperty("tee-pubkey"), out _);
        var jkt = root.GetProperty("cnf").GetProperty("jkt").GetString();
        if (key is null || key.ThumbprintText != jkt)
        {
            problem = "The attestation token's key does not match its thumbprint.";
            return null;
        }

        var claims = AttestationClaimsJson.Parse(root.GetProperty("claims"));
        return new TokenContents(key, claims, root.GetProperty("claims_digest").GetString()!, DateTimeOffset.FromUnixTimeSeconds(exp.GetInt64()));
    }
}

internal sealed record TokenContents(TeePublicKey Key, AttestationClaims Claims, string ClaimsDigest, DateTimeOffset Expires);
