using System.Diagnostics.CodeAnalysis;

namespace Mantle.Attestation;

/// <summary>The wire names of <see cref="TeeType"/> values: <c>sim</c>, <c>sgx</c>, <c>tdx</c>, <c>snp</c>.</summary>
public static class TeeTypeNames
{
    /// <summary>Returns the lower-case wire name of a TEE type.</summary>
    public static string ToName(this TeeType tee) => tee switch
    {
        TeeType.Sim => "sim",
        TeeType.Sgx => "sgx",
        TeeType.Tdx => "tdx",
        TeeType.Snp => "snp",
        _ => throw new ArgumentOutOfRangeException(nameof(tee), tee, "Unknown TEE type."),
    };

    /// <summary>Parses a wire name (case-insensitive).</summary>
    public static bool TryParse(string? name, [NotNullWhen(true)] out TeeType? tee)
    {
        tee = name?.ToLowerInvariant() switch
        {
            "sim" => TeeType.Sim,
            "sgx" => TeeType.Sgx,
            "tdx" => TeeType.Tdx,
            "snp" or "sev-snp" or "sevsnp" => TeeType.Snp,
            _ => null,
        };
        return tee is not null;
    }

    /// <summary>Parses a wire name or throws an <see cref="ArgumentException"/> that lists the valid names.</summary>
    public static TeeType Parse(string name) =>
        TryParse(name, out var tee)
            ? tee.Value
            : throw new ArgumentException($"Unknown TEE '{name}': expected one of sim, sgx, tdx, snp.", nameof(name));
}
