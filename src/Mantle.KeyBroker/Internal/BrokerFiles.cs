namespace Mantle.KeyBroker.Internal;

/// <summary>File names inside the broker configuration folder.</summary>
internal static class BrokerFiles
{
    public const string MasterKey = "master.key";
    public const string CaCertificate = "ca.crt";
    public const string CaKey = "ca.key";
    public const string TlsCertificate = "tls.crt";
    public const string TlsKey = "tls.key";
    public const string TokenSigningKey = "token-signing.key";
    public const string AdminPublicKey = "admin.pub";
    public const string AdminCredential = "admin.credential";
    public const string DefaultPolicy = "default-policy.json";

    public static readonly string[] RequiredForServe = [CaCertificate, CaKey, TokenSigningKey, AdminPublicKey];
}
