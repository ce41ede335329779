using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Jose;

namespace Mantle.KeyBroker.Internal.Crypto;

/// <summary>The broker's key material, loaded once from the configuration folder.</summary>
internal sealed class BrokerKeys : IDisposable
{
    private BrokerKeys(X509Certificate2 ca, ECDsa tokenKey, ECDsa adminKey)
    {
        Ca = ca;
        TokenKey = tokenKey;
        AdminKey = adminKey;
        TokenKeyId = KeyId(tokenKey);
        CaPem = ca.ExportCertificatePem() + "\n";
    }

    /// <summary>The CA certificate with its private key.</summary>
    public X509Certificate2 Ca { get; }

    public string CaPem { get; }

    public ECDsa TokenKey { get; }

    public string TokenKeyId { get; }

    /// <summary>The public key that signs admin bearer tokens.</summary>
    public ECDsa AdminKey { get; }

    public static BrokerKeys Load(string directory)
    {
        var caKey = ECDsa.Create();
        caKey.ImportFromPem(File.ReadAllText(Path.Combine(directory, BrokerFiles.CaKey)));
        using var caPublic = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(directory, BrokerFiles.CaCertificate)));
        var ca = caPublic.CopyWithPrivateKey(caKey);
        var tokenKey = ECDsa.Create();
        tokenKey.ImportFromPem(File.ReadAllText(Path.Combine(directory, BrokerFiles.TokenSigningKey)));
        var adminKey = ECDsa.Create();
        adminKey.ImportFromPem(File.ReadAllText(Path.Combine(directory, BrokerFiles.AdminPublicKey)));
        return new BrokerKeys(ca, tokenKey, adminKey);
    }

    /// <summary>The RFC 7638 thumbprint of a P-384 key, used as its <c>kid</c>.</summary>
    public static string KeyId(ECDsa key) => TeeKeyJwk.FromEc(key.ExportParameters(false)).ThumbprintText;

    public Dictionary<string, object> TokenJwks()
    {
        var jwk = new Dictionary<string, object>(TeeKeyJwk.FromEc(TokenKey.ExportParameters(false)).Members)
        {
            ["kid"] = TokenKeyId,
            ["use"] = "sig",
            ["alg"] = "ES384",
        };
        return new Dictionary<string, object> { ["keys"] = new[] { jwk } };
    }

    public void Dispose()
    {
        Ca.Dispose();
        TokenKey.Dispose();
        AdminKey.Dispose();
    }

    internal static string Encode(byte[] bytes) => Base64Url.Encode(bytes);
}
