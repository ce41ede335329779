namespace Mantle.Attestation.Snp.Internal;

/// <summary>The AMD EPYC product lines whose SEV-SNP roots are known (the names AMD KDS uses).</summary>
internal enum SnpProduct
{
    Unknown,
    Milan,
    Genoa,
    Turin,
}

internal static class SnpProducts
{
    public static string ToName(this SnpProduct product) => product switch
    {
        SnpProduct.Milan => "Milan",
        SnpProduct.Genoa => "Genoa",
        SnpProduct.Turin => "Turin",
        _ => "unknown",
    };

    /// <summary>
    /// Parses a product name as used by KDS, by the VCEK product name extension ("Milan-B0") and by the
    /// ARK common name ("ARK-Genoa"). Bergamo and Siena parts are certified under the Genoa roots.
    /// </summary>
    public static SnpProduct Parse(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return SnpProduct.Unknown;
        }

        var stem = name.Trim();
        if (stem.StartsWith("ARK-", StringComparison.OrdinalIgnoreCase))
        {
            stem = stem[4..];
        }

        var dash = stem.IndexOf('-', StringComparison.Ordinal);
        if (dash >= 0)
        {
            stem = stem[..dash];
        }

        return stem.ToUpperInvariant() switch
        {
            "MILAN" => SnpProduct.Milan,
            "GENOA" or "BERGAMO" or "SIENA" => SnpProduct.Genoa,
            "TURIN" => SnpProduct.Turin,
            _ => SnpProduct.Unknown,
        };
    }

    /// <summary>Maps the CPUID family and model in a v3+ report to a product line.</summary>
    public static SnpProduct FromCpuid(byte family, byte model) => family switch
    {
        0x19 when model <= 0x0F => SnpProduct.Milan,
        0x19 when model is >= 0x10 and <= 0x1F or >= 0xA0 and <= 0xAF => SnpProduct.Genoa,
        0x1A => SnpProduct.Turin,
        _ => SnpProduct.Unknown,
    };
}
