using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Mantle.Sealing.Internal;

/// <summary>RFC 7638 JWK thumbprints of EC public keys.</summary>
internal static class KeyThumbprint
{
    public static string Compute(ECDsa key)
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        var curve = parameters.Curve.Oid.FriendlyName switch
        {
            "nistP384" or "ECDSA_P384" or "secp384r1" => "P-384",
            "nistP256" or "ECDSA_P256" or "secp256r1" => "P-256",
            "nistP521" or "ECDSA_P521" or "secp521r1" => "P-521",
            var other => throw new SealingException(SealingErrorCode.InvalidSigningKey, $"Unsupported curve '{other}'; Mantle owner keys are P-384."),
        };

        // The required members in lexicographic order, no whitespace (RFC 7638 section 3.2).
        var canonical = "{\"crv\":\"" + curve + "\",\"kty\":\"EC\",\"x\":\"" + Base64Url.EncodeToString(parameters.Q.X)
            + "\",\"y\":\"" + Base64Url.EncodeToString(parameters.Q.Y) + "\"}";
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}
