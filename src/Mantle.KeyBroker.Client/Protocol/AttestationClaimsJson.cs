using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mantle.Attestation;

namespace Mantle.KeyBroker;

/// <summary>
/// Attestation claims as they travel in tokens and broker-issued certificates: canonical JSON (keys sorted, no spaces),
/// its SHA-256 digest (<c>claims_digest</c>), and back to <see cref="AttestationClaims"/>.
/// </summary>
public static class AttestationClaimsJson
{
    private static readonly HashSet<string> Normalized = new(StringComparer.Ordinal)
    {
        "tee", "measurement", "signer", "product_id", "svn", "debug", "tcb_status", "advisory_ids", "report_data",
    };

    /// <summary>The claims as a dictionary sorted by name, ready to serialize.</summary>
    public static SortedDictionary<string, object> ToSorted(AttestationClaims claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        return new(claims.ToDictionary().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal), StringComparer.Ordinal);
    }

    /// <summary>The canonical JSON text of the claims.</summary>
    public static string Canonical(AttestationClaims claims) => JsonSerializer.Serialize(ToSorted(claims));

    /// <summary>SHA-256 of the UTF-8 canonical JSON.</summary>
    public static byte[] Digest(AttestationClaims claims) => SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(claims)));

    /// <summary>Reads claims written by <see cref="Canonical"/> (or the <c>claims</c> object of a token).</summary>
    /// <exception cref="FormatException">The JSON is not a claims object: a normalized claim is missing or has the wrong type.</exception>
    public static AttestationClaims Parse(JsonElement element)
    {
        try
        {
            return ParseCore(element);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw new FormatException("The attestation claims are not a claims object (tee, measurement, debug, tcb_status, …): " + ex.Message, ex);
        }
    }

    private static AttestationClaims ParseCore(JsonElement e)
    {
        var tee = TeeTypeNames.Parse(e.GetProperty("tee").GetString()!);
        var teeClaims = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var p in e.EnumerateObject())
        {
            if (Normalized.Contains(p.Name))
            {
                continue;
            }

            object? value = p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString()!,
                JsonValueKind.Number => p.Value.GetInt64(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => null,
            };
            if (value is not null)
            {
                teeClaims[p.Name] = value;
            }
        }

        return new AttestationClaims
        {
            Tee = tee,
            Measurement = e.GetProperty("measurement").GetString()!,
            Signer = e.TryGetProperty("signer", out var s) ? s.GetString() : null,
            ProductId = e.TryGetProperty("product_id", out var pid) ? (int)pid.GetInt64() : null,
            Svn = e.TryGetProperty("svn", out var svn) ? (int)svn.GetInt64() : null,
            Debug = e.GetProperty("debug").GetBoolean(),
            TcbStatus = e.GetProperty("tcb_status").GetString()!,
            AdvisoryIds = e.TryGetProperty("advisory_ids", out var adv) ? adv.EnumerateArray().Select(a => a.GetString()!).ToArray() : [],
            ReportData = e.TryGetProperty("report_data", out var rd) ? Convert.FromHexString(rd.GetString()!) : new byte[64],
            TeeClaims = teeClaims,
        };
    }
}
