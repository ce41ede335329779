namespace Mantle.Attestation.Snp;

/// <summary>Options of <see cref="SnpReportVerifier"/>, bound from the configuration section <c>Attestation:Snp</c>.</summary>
public sealed class SnpVerifierOptions
{
    /// <summary>The configuration section these options are bound from: <c>Attestation:Snp</c>.</summary>
    public const string SectionName = "Attestation:Snp";

    /// <summary>The well-known AMD Key Distribution Service: <c>https://kdsintf.amd.com</c>. Not used unless set as <see cref="KdsBaseUrl"/>.</summary>
    public static readonly Uri AmdKdsUrl = new("https://kdsintf.amd.com");

    /// <summary>The clock that decides whether certificates are valid. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// A folder of PEM or DER files that replaces the built-in AMD roots: self-signed ARKs are trusted,
    /// other RSA certificates (ASK, ASVK) are used as intermediates. Defaults to null: the built-in ARKs,
    /// ASKs and ASVKs for Milan, Genoa and Turin.
    /// </summary>
    public string? RootsDirectory { get; set; }

    /// <summary>
    /// A file or folder with the VCEK or VLEK certificate (DER or PEM; a PEM file may also hold the ASK
    /// or ASVK), a certificate table as returned with an extended report, or AMD CRLs (DER or PEM).
    /// Defaults to null.
    /// </summary>
    public string? CollateralPath { get; set; }

    /// <summary>The same collateral as <see cref="CollateralPath"/>, as bytes. Defaults to null.</summary>
    public ReadOnlyMemory<byte> Collateral { get; set; }

    /// <summary>
    /// The base URL of an AMD KDS (for example <see cref="AmdKdsUrl"/>) to fetch a VCEK from when the
    /// evidence and the collateral carry none. Responses are cached in memory for the verifier's lifetime.
    /// Defaults to null: nothing is fetched.
    /// </summary>
    public Uri? KdsBaseUrl { get; set; }

    /// <summary>The time limit of one KDS request. Defaults to 10 seconds; must be between 1 second and 5 minutes.</summary>
    public TimeSpan KdsTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// When true, a report is refused unless a CRL signed by its ARK (from <see cref="Collateral"/> or
    /// <see cref="CollateralPath"/>) is valid at the verification time. CRLs that are supplied are always
    /// checked. Defaults to false.
    /// </summary>
    public bool RequireCrl { get; set; }

    /// <summary>
    /// The product line (<c>Milan</c>, <c>Genoa</c> or <c>Turin</c>) to assume when neither the certificate
    /// nor the report (version 3 and later carry the CPUID) says. Defaults to null.
    /// </summary>
    public string? Product { get; set; }

    /// <summary>Returns every problem with these options, each naming its configuration key; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (TimeProvider is null)
        {
            problems.Add($"{SectionName}:TimeProvider must not be null.");
        }

        if (RootsDirectory is not null && !Directory.Exists(RootsDirectory))
        {
            problems.Add($"{SectionName}:RootsDirectory '{RootsDirectory}' is not an existing folder.");
        }

        if (CollateralPath is not null && !File.Exists(CollateralPath) && !Directory.Exists(CollateralPath))
        {
            problems.Add($"{SectionName}:CollateralPath '{CollateralPath}' is neither a file nor a folder.");
        }

        if (KdsBaseUrl is not null && (!KdsBaseUrl.IsAbsoluteUri || KdsBaseUrl.Scheme is not ("http" or "https")))
        {
            problems.Add($"{SectionName}:KdsBaseUrl '{KdsBaseUrl}' must be an absolute http or https URL (for example {AmdKdsUrl}).");
        }

        if (KdsTimeout < TimeSpan.FromSeconds(1) || KdsTimeout > TimeSpan.FromMinutes(5))
        {
            problems.Add($"{SectionName}:KdsTimeout {KdsTimeout} must be between 00:00:01 and 00:05:00.");
        }

        if (Product is not null && Internal.SnpProducts.Parse(Product) == Internal.SnpProduct.Unknown)
        {
            problems.Add($"{SectionName}:Product '{Product}' is not one of Milan, Genoa, Turin.");
        }

        return problems;
    }
}
