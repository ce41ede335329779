using System.Security.Cryptography;
using System.Text;
using Jose;

namespace Mantle.KeyBroker;

/// <summary>
/// The public JWK of a TEE key as the attester sends it in <c>tee-pubkey</c>, and its RFC 7638 thumbprint (SHA-256 of the
/// canonical JSON of the required members), which the report data binds.
/// </summary>
public sealed class TeeKeyJwk
{
    private TeeKeyJwk(Dictionary<string, object> members, string canonical)
    {
        Members = members;
        Thumbprint = SHA256.HashData(Encoding.UTF8.GetBytes(canonical));
    }

    /// <summary>The public members only (<c>kty</c>, <c>crv</c>, <c>x</c>, <c>y</c> or <c>kty</c>, <c>n</c>, <c>e</c>).</summary>
    public IReadOnlyDictionary<string, object> Members { get; }

    /// <summary>The 32-byte SHA-256 RFC 7638 thumbprint.</summary>
    public byte[] Thumbprint { get; }

    /// <summary>The thumbprint as base64url text.</summary>
    public string ThumbprintText => Base64Url.Encode(Thumbprint);

    /// <summary>The JWK of a P-384 public key.</summary>
    public static TeeKeyJwk FromEc(ECParameters parameters)
    {
        var x = Base64Url.Encode(parameters.Q.X!);
        var y = Base64Url.Encode(parameters.Q.Y!);
        return new TeeKeyJwk(
            new Dictionary<string, object> { ["kty"] = "EC", ["crv"] = "P-384", ["x"] = x, ["y"] = y },
            $"{{\"crv\":\"P-384\",\"kty\":\"EC\",\"x\":\"{x}\",\"y\":\"{y}\"}}");
    }

    /// <summary>The JWK of an RSA public key (modulus and exponent without leading zero bytes).</summary>
    public static TeeKeyJwk FromRsa(RSAParameters parameters)
    {
        var n = Base64Url.Encode(parameters.Modulus.AsSpan().TrimStart((byte)0).ToArray());
        var e = Base64Url.Encode(parameters.Exponent.AsSpan().TrimStart((byte)0).ToArray());
        return new TeeKeyJwk(
            new Dictionary<string, object> { ["kty"] = "RSA", ["n"] = n, ["e"] = e },
            $"{{\"e\":\"{e}\",\"kty\":\"RSA\",\"n\":\"{n}\"}}");
    }
}
