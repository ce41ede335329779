using System.Security.Cryptography;
using System.Text;

namespace Mantle.KeyBroker;

/// <summary>
/// The names and formulas of the broker protocol that the attester and the broker must compute alike
/// (see docs/broker-protocol.md).
/// </summary>
public static class KbsProtocol
{
    /// <summary>The protocol version the attester announces in <c>POST /kbs/v0/auth</c>.</summary>
    public const string Version = "0.1.0";

    /// <summary>The cookie that carries the session from <c>auth</c> to <c>attest</c>.</summary>
    public const string SessionCookie = "kbs-session-id";

    /// <summary>The audience (<c>aud</c>) of admin bearer tokens.</summary>
    public const string AdminAudience = "mantle-broker-admin";

    /// <summary>The resource repository and type under which model keys are registered: <c>mantle/model-key/&lt;key id&gt;</c>.</summary>
    public const string ModelKeyRepository = "mantle/model-key";

    /// <summary>The resource path of a model key: <c>mantle/model-key/&lt;key id&gt;</c>.</summary>
    public static string ModelKeyPath(string keyId)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        return ModelKeyRepository + "/" + keyId;
    }

    /// <summary>
    /// The report data that binds evidence to a session and a TEE key: SHA-512(UTF-8 <paramref name="nonce"/> ‖
    /// <paramref name="keyThumbprint"/>), where the thumbprint is the key's RFC 7638 SHA-256 JWK thumbprint (<see cref="TeeKeyJwk.Thumbprint"/>).
    /// </summary>
    public static byte[] ReportData(string nonce, ReadOnlySpan<byte> keyThumbprint)
    {
        ArgumentNullException.ThrowIfNull(nonce);
        var nonceBytes = Encoding.UTF8.GetBytes(nonce);
        var input = new byte[nonceBytes.Length + keyThumbprint.Length];
        nonceBytes.CopyTo(input, 0);
        keyThumbprint.CopyTo(input.AsSpan(nonceBytes.Length));
        return SHA512.HashData(input);
    }
}
