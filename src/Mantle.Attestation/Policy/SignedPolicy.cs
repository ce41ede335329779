using System.Security.Cryptography;
using System.Text;
using Jose;

namespace Mantle.Attestation.Policy;

/// <summary>
/// Auditor-signed policies: a compact JWS (ES384) whose payload is the exact UTF-8 bytes of the policy
/// JSON, with protected header <c>{"alg": "ES384", "typ": "mantle-policy+jws", "kid": &lt;auditor key id&gt;}</c>.
/// A verifier that trusts an auditor's public key accepts any policy that auditor signed, instead of a
/// pinned policy.
/// </summary>
public static class SignedPolicy
{
    /// <summary>The JWS <c>typ</c> header of signed policies.</summary>
    public const string MediaType = "mantle-policy+jws";

    /// <summary>Signs policy JSON with an auditor's P-384 private key, after checking that it is a valid policy.</summary>
    /// <returns>The compact JWS.</returns>
    /// <exception cref="AttestationException">The JSON is not a valid policy (<see cref="AttestationErrorCode.InvalidPolicy"/>).</exception>
    /// <exception cref="ArgumentException">The key is not a P-384 private key.</exception>
    public static string Sign(string policyJson, ECDsa auditorKey)
    {
        ArgumentNullException.ThrowIfNull(policyJson);
        ArgumentNullException.ThrowIfNull(auditorKey);
        if (auditorKey.KeySize != 384)
        {
            throw new ArgumentException("The auditor key must be an ECDSA P-384 key (ES384).", nameof(auditorKey));
        }

        AttestationPolicy.Parse(policyJson);
        var headers = new Dictionary<string, object>
        {
            ["typ"] = MediaType,
            ["kid"] = KeyId(auditorKey),
        };
        return JWT.EncodeBytes(Encoding.UTF8.GetBytes(policyJson), auditorKey, JwsAlgorithm.ES384, headers);
    }

    /// <summary>
    /// Verifies a signed policy with the trusted auditor public key and returns the policy.
    /// </summary>
    /// <exception cref="AttestationException">
    /// With <see cref="AttestationErrorCode.InvalidPolicy"/>: the text is not a compact JWS, is not ES384, its
    /// signature does not verify with the auditor key (tampered, or signed by another key), or the signed JSON is not a valid policy.
    /// </exception>
    public static AttestationPolicy Verify(string signedPolicy, ECDsa auditorPublicKey)
    {
        ArgumentNullException.ThrowIfNull(signedPolicy);
        ArgumentNullException.ThrowIfNull(auditorPublicKey);
        var token = signedPolicy.Trim();
        var trustedKid = KeyId(auditorPublicKey);
        IDictionary<string, object>? headers;
        try
        {
            headers = token.Split('.').Length == 3 ? JWT.Headers(token) : null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw Invalid("is not a compact JWS (three base64url parts separated by dots)", ex);
        }

        if (headers is null)
        {
            throw Invalid("is not a compact JWS (three base64url parts separated by dots)", null);
        }

        if (!headers.TryGetValue("alg", out var alg) || !string.Equals(alg as string, "ES384", StringComparison.Ordinal))
        {
            throw Invalid($"uses algorithm '{alg}'; signed policies must be ES384", null);
        }

        var kid = headers.TryGetValue("kid", out var kidValue) ? kidValue as string : null;
        byte[] payload;
        try
        {
            payload = JWT.DecodeBytes(token, auditorPublicKey, JwsAlgorithm.ES384);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var signer = kid is not null && !string.Equals(kid, trustedKid, StringComparison.OrdinalIgnoreCase)
                ? $"it names auditor key {kid}, but the trusted auditor key is {trustedKid}"
                : $"it was altered or not signed by the trusted auditor key {trustedKid}";
            throw Invalid($"signature does not verify: {signer}", ex);
        }

        string json;
        try
        {
            json = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(payload);
        }
        catch (DecoderFallbackException ex)
        {
            throw Invalid("payload is not UTF-8 text", ex);
        }

        return AttestationPolicy.Parse(json);
    }

    /// <summary>Verifies a signed policy with an auditor public key given as PEM (<c>PUBLIC KEY</c>; a private key PEM also works).</summary>
    /// <exception cref="AttestationException">The PEM holds no P-384 key, or the signed policy is refused.</exception>
    public static AttestationPolicy Verify(string signedPolicy, string auditorPublicKeyPem)
    {
        using var key = ImportAuditorKey(auditorPublicKeyPem);
        return Verify(signedPolicy, key);
    }

    /// <summary>Loads an auditor key (private or public) from PEM text.</summary>
    /// <exception cref="AttestationException">The text holds no ECDSA P-384 key.</exception>
    public static ECDsa ImportAuditorKey(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new AttestationException(AttestationErrorCode.InvalidPolicy, "The auditor key is not an ECDSA P-384 key in PEM form (PUBLIC KEY or PRIVATE KEY).", ex);
        }

        if (key.KeySize != 384)
        {
            key.Dispose();
            throw new AttestationException(AttestationErrorCode.InvalidPolicy, "The auditor key must be an ECDSA P-384 key (ES384).");
        }

        return key;
    }

    /// <summary>The key id of an auditor key: lower-case hex SHA-256 of its SubjectPublicKeyInfo DER.</summary>
    public static string KeyId(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
    }

    private static AttestationException Invalid(string what, Exception? inner) =>
        inner is null
            ? new AttestationException(AttestationErrorCode.InvalidPolicy, $"The signed policy {what}.")
            : new AttestationException(AttestationErrorCode.InvalidPolicy, $"The signed policy {what}.", inner);
}
