using System.Security.Cryptography;
using Jose;

namespace Mantle.KeyBroker.Internal.Crypto;

/// <summary>Encrypts a released resource to the TEE key as JWE compact serialization.</summary>
internal static class ReleaseEncryptor
{
    public static string Encrypt(byte[] plaintext, TeePublicKey key, string path, long version)
    {
        var headers = new Dictionary<string, object> { ["mantle-resource"] = path, ["mantle-version"] = version };
        if (key.Ec is { } ec)
        {
            using var ecdh = ECDiffieHellman.Create(ec);
            return JWE.EncryptBytes(plaintext, [new JweRecipient(JweAlgorithm.ECDH_ES_A256KW, ecdh)], JweEncryption.A256GCM,
                mode: SerializationMode.Compact, extraProtectedHeaders: headers);
        }

        using var rsa = RSA.Create(key.Rsa!.Value);
        return JWE.EncryptBytes(plaintext, [new JweRecipient(JweAlgorithm.RSA_OAEP_256, rsa)], JweEncryption.A256GCM,
            mode: SerializationMode.Compact, extraProtectedHeaders: headers);
    }
}
