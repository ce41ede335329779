using System.Text;
using System.Text.Json;
using Mantle.Attestation.Intel;

namespace Mantle.Attestation.Policy;

/// <summary>
/// Writes attestation policies pinned to a known-good identity, so that nobody copies measurements by hand: from the
/// verified claims of evidence (<c>mantle policy from-evidence</c>) or from an SGX SIGSTRUCT (<c>mantle policy
/// from-sigstruct</c>). Each policy accepts only its TEE, refuses debug mode unless asked, and parses with
/// <see cref="AttestationPolicy.Parse"/> (the broker and clients read it the same way).
/// </summary>
public static class PinnedPolicy
{
    /// <summary>
    /// The claims pinned to their value for each TEE. SGX: MRENCLAVE, MRSIGNER and ISVPRODID (and ISVSVN as a minimum).
    /// TDX: MRTD, RTMR0–2 (firmware, kernel, command line and initrd), MRCONFIGID, MROWNER, MROWNERCONFIG, the TD
    /// attributes and XFAM; RTMR3 is extended at run time, so it is pinned only when asked. SEV-SNP: MEASUREMENT,
    /// HOST_DATA, the ID and author key digests, FAMILY_ID, IMAGE_ID, the VMPL and the guest policy (and the guest SVN as
    /// a minimum). sim: the measurement.
    /// </summary>
    public static IReadOnlyList<string> PinnedClaims(TeeType tee) => tee switch
    {
        TeeType.Sgx => ["measurement", "signer", "product_id"],
        TeeType.Tdx => ["measurement", "tdx.rtmr0", "tdx.rtmr1", "tdx.rtmr2", "tdx.mr_config_id", "tdx.mr_owner", "tdx.mr_owner_config", "tdx.td_attributes", "tdx.xfam"],
        TeeType.Snp => ["measurement", "snp.host_data", "snp.id_key_digest", "snp.author_key_digest", "snp.family_id", "snp.image_id", "snp.vmpl", "snp.policy"],
        _ => ["measurement"],
    };

    /// <summary>Writes a policy pinned to the measurement fields of verified claims.</summary>
    /// <exception cref="ArgumentException">An extra claim is not among the claims, or <see cref="PinnedPolicyOptions.SignerOnly"/> is set for a TEE other than SGX.</exception>
    public static string ForClaims(AttestationClaims claims, PinnedPolicyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(claims);
        options ??= new PinnedPolicyOptions();
        if (options.SignerOnly && claims.Tee != TeeType.Sgx)
        {
            throw new ArgumentException($"Pinning the signer only applies to SGX evidence; this is {claims.Tee.ToName()} evidence.", nameof(options));
        }

        var all = claims.ToDictionary();
        var pinned = new List<(string Name, string Rule, object Value)>();
        foreach (var name in PinnedClaims(claims.Tee).Concat(options.ExtraClaims).Distinct(StringComparer.Ordinal))
        {
            if (options.SignerOnly && name == "measurement")
            {
                continue;
            }

            if (!all.TryGetValue(name, out var value) || value is string[])
            {
                throw new ArgumentException(
                    $"The evidence has no claim '{name}' to pin; its claims are {string.Join(", ", all.Keys.Where(k => all[k] is not string[]))}.", nameof(options));
            }

            pinned.Add((name, "equals", value));
        }

        if (claims.Svn is { } svn && (claims.Tee is TeeType.Sgx or TeeType.Snp) && !pinned.Exists(p => p.Name == "svn"))
        {
            pinned.Add(("svn", "min", (long)svn));
        }

        return Write(claims.Tee, pinned, options);
    }

    /// <summary>Writes an SGX policy pinned to a SIGSTRUCT's identity: MRENCLAVE (unless signer only), MRSIGNER, ISVPRODID, and ISVSVN as a minimum.</summary>
    public static string ForSigStruct(SgxSigStruct sigStruct, PinnedPolicyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sigStruct);
        options ??= new PinnedPolicyOptions();
        if (options.ExtraClaims.Count > 0)
        {
            throw new ArgumentException("A SIGSTRUCT carries no other claims to pin; pin them from evidence (ForClaims).", nameof(options));
        }

        var pinned = new List<(string Name, string Rule, object Value)>();
        if (!options.SignerOnly)
        {
            pinned.Add(("measurement", "equals", sigStruct.MrEnclave));
        }

        pinned.Add(("signer", "equals", sigStruct.MrSigner));
        pinned.Add(("product_id", "equals", (long)sigStruct.IsvProdId));
        pinned.Add(("svn", "min", (long)sigStruct.IsvSvn));
        return Write(TeeType.Sgx, pinned, options);
    }

    private static string Write(TeeType tee, List<(string Name, string Rule, object Value)> pinned, PinnedPolicyOptions options)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("version", 1);
            json.WriteStartArray("tees");
            json.WriteStringValue(tee.ToName());
            json.WriteEndArray();
            json.WriteBoolean("allow_debug", options.AllowDebug);
            json.WriteStartArray("tcb_status");
            foreach (var status in options.TcbStatuses)
            {
                json.WriteStringValue(status);
            }

            json.WriteEndArray();
            json.WriteStartObject("claims");
            foreach (var (name, rule, value) in pinned)
            {
                json.WriteStartObject(name);
                switch (value)
                {
                    case long number:
                        json.WriteNumber(rule, number);
                        break;
                    case bool flag:
                        json.WriteBoolean(rule, flag);
                        break;
                    default:
                        json.WriteString(rule, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                        break;
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        var text = Encoding.UTF8.GetString(buffer.ToArray());

        // Refuses, with the policy parser's message, what the parser would refuse later (an unknown TCB status).
        _ = AttestationPolicy.Parse(text);
        return text;
    }
}
