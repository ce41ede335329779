using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mantle.KeyBroker;

/// <summary>
/// The admin credential file (<c>admin.credential</c>, JSON, mode 0600): the broker URL, the broker CA
/// certificate, the admin private key (signs bearer tokens) and an admin client certificate (for mTLS).
/// </summary>
public sealed class AdminCredential
{
    /// <summary>The broker's base URL.</summary>
    [JsonPropertyName("broker")]
    public required string BrokerUrl { get; init; }

    /// <summary>The broker CA certificate (PEM) that the broker's TLS certificate chains to.</summary>
    [JsonPropertyName("ca")]
    public required string CaCertificatePem { get; init; }

    /// <summary>The admin private key (PKCS#8 PEM, P-384).</summary>
    [JsonPropertyName("admin_key")]
    public required string AdminKeyPem { get; init; }

    /// <summary>An admin client certificate (PEM) for the same key, issued by the broker CA.</summary>
    [JsonPropertyName("client_certificate")]
    public string? ClientCertificatePem { get; init; }

    /// <summary>Reads a credential file.</summary>
    /// <exception cref="InvalidOperationException">The file is missing or not a credential; the message names the file.</exception>
    public static AdminCredential Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<AdminCredential>(File.ReadAllText(path))
                ?? throw new InvalidOperationException($"'{path}' is empty; it should be an admin credential made by 'mantle broker init'.");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Cannot read the admin credential '{path}': {ex.Message}", ex);
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"'{path}' is not an admin credential made by 'mantle broker init' (JSON with broker, ca, admin_key).", ex);
        }
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The credential as the JSON text of the file (it holds the admin private key: write it with mode 0600).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Indented);
}
