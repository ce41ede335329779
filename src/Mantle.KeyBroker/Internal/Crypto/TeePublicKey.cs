using System.Security.Cryptography;
using System.Text.Json;
using Jose;

namespace Mantle.KeyBroker.Internal.Crypto;

/// <summary>A TEE's public key from a JWK: EC P-384 or RSA (2048 bits or more), with its RFC 7638 thumbprint.</summary>
internal sealed class TeePublicKey
{
    private readonly TeeKeyJwk _jwk;

    private TeePublicKey(ECParameters? ec, RSAParameters? rsa, TeeKeyJwk jwk)
    {
        Ec = ec;
        Rsa = rsa;
        _jwk = jwk;
    }

    public ECParameters? Ec { get; }

    public RSAParameters? Rsa { get; }

    /// <summary>The 32-byte SHA-256 RFC 7638 thumbprint.</summary>
    public byte[] Thumbprint => _jwk.Thumbprint;

    public string ThumbprintText => _jwk.ThumbprintText;

    /// <summary>The public members only, as a JSON object ready to embed.</summary>
    public IReadOnlyDictionary<string, object> Jwk => _jwk.Members;

    public static TeePublicKey FromEc(ECParameters p) =>
        new(new ECParameters { Curve = ECCurve.NamedCurves.nistP384, Q = p.Q }, null, TeeKeyJwk.FromEc(p));

    public static TeePublicKey FromRsa(RSAParameters p) =>
        new(null, new RSAParameters { Modulus = p.Modulus, Exponent = p.Exponent }, TeeKeyJwk.FromRsa(p));

    /// <summary>Parses a JWK; on failure returns null and a message for the caller.</summary>
    public static TeePublicKey? TryParse(JsonElement element, out string? problem)
    {
        problem = null;
        if (element.ValueKind != JsonValueKind.Object)
        {
            problem = "'tee-pubkey' must be a JSON object (a JWK).";
            return null;
        }

        if (element.TryGetProperty("d", out _))
        {
            problem = "'tee-pubkey' contains the private member 'd'; send only the public key.";
            return null;
        }

        var kty = String(element, "kty");
        try
        {
            switch (kty)
            {
                case "EC":
                    var crv = String(element, "crv");
                    if (crv != "P-384")
                    {
                        problem = $"'tee-pubkey' has curve '{crv ?? "(none)"}'; only P-384 is accepted for EC keys.";
                        return null;
                    }

                    var x = Decode(element, "x");
                    var y = Decode(element, "y");
                    if (x is not { Length: 48 } || y is not { Length: 48 })
                    {
                        problem = "'tee-pubkey' EC coordinates 'x' and 'y' must be base64url of 48 bytes each (P-384).";
                        return null;
                    }

                    var ecp = new ECParameters { Curve = ECCurve.NamedCurves.nistP384, Q = new ECPoint { X = x, Y = y } };
                    using (var probe = ECDiffieHellman.Create(ecp))
                    {
                        // Importing validates that the point is on the curve.
                    }

                    return FromEc(ecp);
                case "RSA":
                    var n = Decode(element, "n");
                    var e = Decode(element, "e");
                    if (n is null || e is null)
                    {
                        problem = "'tee-pubkey' RSA key needs base64url members 'n' and 'e'.";
                        return null;
                    }

                    var modulus = n.AsSpan().TrimStart((byte)0).ToArray();
                    if (modulus.Length * 8 < 2048)
                    {
                        problem = $"'tee-pubkey' RSA modulus has {modulus.Length * 8} bits; at least 2048 are required.";
                        return null;
                    }

                    var rsp = new RSAParameters { Modulus = modulus, Exponent = e.AsSpan().TrimStart((byte)0).ToArray() };
                    using (var probe = RSA.Create(rsp))
                    {
                    }

                    return FromRsa(rsp);
                default:
                    problem = $"'tee-pubkey' has key type '{kty ?? "(none)"}'; expected 'EC' (P-384) or 'RSA'.";
                    return null;
            }
        }
        catch (CryptographicException)
        {
            problem = "'tee-pubkey' is not a valid public key (the point is not on the curve or the RSA parameters are invalid).";
            return null;
        }
    }

    public static TeePublicKey? FromCertificateRequestKey(PublicKeyInfo key)
    {
        ArgumentNullException.ThrowIfNull(key);
        using var ec = key.Ecdsa;
        if (ec is not null)
        {
            var p = ec.ExportParameters(false);
            return p.Curve.Oid?.Value == ECCurve.NamedCurves.nistP384.Oid.Value ? FromEc(p) : null;
        }

        using var rsa = key.Rsa;
        return rsa is null ? null : FromRsa(rsa.ExportParameters(false));
    }

    private static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static byte[]? Decode(JsonElement e, string name)
    {
        var s = String(e, name);
        if (s is null)
        {
            return null;
        }

        try
        {
            return Base64Url.Decode(s);
        }
        catch (FormatException)
        {
            return null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}

/// <summary>The public key of a CSR, opened as ECDSA or RSA.</summary>
internal sealed record PublicKeyInfo(ECDsa? Ecdsa, RSA? Rsa);
