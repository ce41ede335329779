using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mantle.Attestation;

namespace Mantle.KeyBroker.Internal.Crypto;

/// <summary>Claims as they travel in tokens: canonical JSON (keys sorted), and back to <see cref="AttestationClaims"/>.</summary>
internal static class ClaimsCodec
{
    private static readonly HashSet<string> Normalized = new(StringComparer.Ordinal)
    {
        "tee", "measurement", "signer", "product_id", "svn", "debug", "tcb_status", "advisory_ids", "report_data",
    };

    public static SortedDictionary<string, object> ToSorted(AttestationClaims claims) =>
        new(claims.ToDictionary().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal), StringComparer.Ordinal);

    public static string CanonicalJson(AttestationClaims claims) => JsonSerializer.Serialize(ToSorted(claims));

    public static byte[] Digest(AttestationClaims claims) => SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalJson(claims)));

    public static AttestationClaims FromJson(JsonElement e)
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

    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    public static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
