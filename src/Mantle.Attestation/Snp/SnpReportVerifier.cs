using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mantle.Attestation.Snp.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mantle.Attestation.Snp;

/// <summary>
/// Verifies AMD SEV-SNP attestation reports (version 2 and later) to the AMD roots: the report's
/// ECDSA P-384 signature by the VCEK or VLEK, the VCEK → ASK → ARK (VLEK → ASVK → ARK) RSASSA-PSS chain
/// for Milan, Genoa and Turin, the certificates' validity at the verification time, and the binding of the
/// VCEK to the report (hardware id = chip id, TCB extensions = reported TCB).
/// </summary>
/// <remarks>
/// Evidence is the raw 1184-byte report or the envelope described in <see cref="SnpEvidence"/>. The VCEK
/// or VLEK comes from the envelope's certificate table, from <see cref="SnpVerifierOptions.Collateral"/> or
/// <see cref="SnpVerifierOptions.CollateralPath"/>, or (VCEK only) from <see cref="SnpVerifierOptions.KdsBaseUrl"/>.
/// AMD publishes no TCB levels, so an authentic report whose reported TCB matches its VCEK has the TCB
/// status <c>UpToDate</c>; anything else is refused. The verifier is thread-safe; chain results and KDS
/// responses are cached for its lifetime.
/// </remarks>
public sealed class SnpReportVerifier : IEvidenceVerifier
{
    private readonly SnpVerifierOptions _options;
    private readonly ILogger _logger;
    private readonly AmdChainValidator _chains;
    private readonly CollateralSet _collateral;
    private readonly AmdRevocation _revocation;
    private readonly KdsClient? _kds;
    private readonly SnpProduct _configuredProduct;

    /// <summary>Creates a verifier; reads the roots and the configured collateral now.</summary>
    /// <param name="options">The options; null for the defaults (built-in roots, no collateral, no KDS, system clock).</param>
    /// <param name="httpClient">The client for KDS requests; null to create one when <see cref="SnpVerifierOptions.KdsBaseUrl"/> is set.</param>
    /// <param name="logger">The logger; null for none.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names every bad key.</exception>
    /// <exception cref="AttestationException">The roots folder or the collateral cannot be read as certificates.</exception>
    public SnpReportVerifier(SnpVerifierOptions? options = null, HttpClient? httpClient = null, ILogger<SnpReportVerifier>? logger = null)
    {
        _options = options ?? new SnpVerifierOptions();
        var problems = _options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid SEV-SNP verifier options: " + string.Join(" ", problems), nameof(options));
        }

        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _configuredProduct = SnpProducts.Parse(_options.Product);
        _chains = new AmdChainValidator(_options.RootsDirectory is { } folder
            ? AmdTrustStore.FromFolder(folder, $"{SnpVerifierOptions.SectionName}:RootsDirectory")
            : AmdTrustStore.BuiltIn());

        _collateral = CollateralSet.Load(_options.Collateral, _options.CollateralPath, $"{SnpVerifierOptions.SectionName}:CollateralPath");
        _revocation = new AmdRevocation(_chains.Store, _collateral.Crls, _options.RequireCrl);
        if (_options.KdsBaseUrl is { } kds)
        {
            _kds = new KdsClient(httpClient ?? new HttpClient(), kds, _options.KdsTimeout, _logger);
        }
    }

    /// <inheritdoc />
    public TeeType Tee => TeeType.Snp;

    /// <inheritdoc />
    /// <remarks>True for a 1184-byte report of version 2 to 5 with signature algorithm 1, or a Mantle SNP envelope.</remarks>
    public bool CanVerify(ReadOnlySpan<byte> evidence) =>
        SnpEvidenceReader.IsEnvelope(evidence) || SnpEvidenceReader.LooksLikeReport(evidence);

    /// <inheritdoc />
    public async ValueTask<AttestationClaims> VerifyAsync(ReadOnlyMemory<byte> evidence, CancellationToken cancellationToken = default)
    {
        try
        {
            var (report, tableCertificates) = SnpEvidenceReader.Read(evidence.Span);
            var vlek = SigningKeyIsVlek(report);
            var time = _options.TimeProvider.GetUtcNow();

            var carried = CollateralSet.FromEvidence(tableCertificates);
            var intermediates = carried.Intermediates.Concat(_collateral.Intermediates).ToList();
            var leaves = carried.Leaves.Concat(_collateral.Leaves).Where(c => c.IsVlek == vlek).ToList();
            if (!vlek && _kds is not null && !leaves.Any(c => Fits(c, report, vlek)))
            {
                var (leaf, chainIntermediates) = await FetchVcekAsync(report, cancellationToken);
                leaves.Insert(0, leaf);
                intermediates.AddRange(chainIntermediates);
            }

            var signer = ChooseLeaf(report, leaves, vlek);
            var chain = _chains.Validate(signer, intermediates, time);
            _revocation.Check(chain, time);
            var product = ResolveProduct(report, chain);
            VerifySignature(report, signer, vlek);
            var reportedTcb = SnpTcb.FromBytes(report.ReportedTcbBytes, product == SnpProduct.Turin);
            CheckBinding(report, signer, reportedTcb, vlek, product);

            SnpLog.ReportVerified(_logger, product, vlek ? "vlek" : "vcek", reportedTcb);
            return SnpClaims.Build(report, product, vlek);
        }
        catch (AttestationException ex)
        {
            SnpLog.ReportRefused(_logger, ex.Code, ex.Message);
            throw;
        }
        catch (CryptographicException ex)
        {
            SnpLog.ReportRefused(_logger, AttestationErrorCode.InvalidCollateral, ex.Message);
            throw new AttestationException(AttestationErrorCode.InvalidCollateral,
                $"A key in the SEV-SNP certificates cannot be used ({ex.Message}); supply the certificates as AMD issues them.", ex);
        }
    }

    private static bool SigningKeyIsVlek(SnpReport report)
    {
        if (report.ChipKeyMasked)
        {
            throw new AttestationException(AttestationErrorCode.InvalidSignature,
                "The SEV-SNP report was requested with MASK_CHIP_KEY set, so the firmware did not sign it; request a report without masking the chip key.");
        }

        return report.SigningKey switch
        {
            0 => false,
            1 => true,
            var other => throw new AttestationException(AttestationErrorCode.MalformedEvidence,
                $"SEV-SNP evidence is malformed: signing key {other} is neither VCEK (0) nor VLEK (1)."),
        };
    }

    private async Task<(AmdCertificate Leaf, IReadOnlyList<AmdCertificate> Intermediates)> FetchVcekAsync(SnpReport report, CancellationToken cancellationToken)
    {
        var product = report.Cpuid is { } cpuid ? SnpProducts.FromCpuid(cpuid.Family, cpuid.Model) : SnpProduct.Unknown;
        if (product == SnpProduct.Unknown)
        {
            product = _configuredProduct;
        }

        if (product == SnpProduct.Unknown)
        {
            throw new AttestationException(AttestationErrorCode.InvalidCollateral,
                $"Cannot fetch the VCEK from AMD KDS: a version {report.Version} report does not name its product line; " +
                $"set {SnpVerifierOptions.SectionName}:Product to Milan, Genoa or Turin, or supply the VCEK certificate.");
        }

        var tcb = SnpTcb.FromBytes(report.ReportedTcbBytes, product == SnpProduct.Turin);
        var vcekBytes = await _kds!.GetAsync(_kds.VcekUrl(product, report.ChipId, tcb), cancellationToken);
        var chainBytes = await _kds.GetAsync(_kds.CertChainUrl(product), cancellationToken);
        var vcek = CertificateFiles.Read(vcekBytes, "AMD KDS VCEK response").Select(c => AmdCertificate.Parse(c.Der, "VCEK from AMD KDS")).FirstOrDefault(c => c.IsAmdLeaf)
            ?? throw new AttestationException(AttestationErrorCode.InvalidCollateral, "AMD KDS answered the VCEK request without a VCEK certificate.");
        var chain = CertificateFiles.Read(chainBytes, "AMD KDS cert_chain response")
            .Select(c => AmdCertificate.Parse(c.Der, "certificate from the AMD KDS cert_chain"))
            .Where(c => !c.IsEcKey && !c.IsSelfIssued)
            .ToList();
        return (vcek, chain);
    }

    private static AmdCertificate ChooseLeaf(SnpReport report, List<AmdCertificate> leaves, bool vlek)
    {
        if (leaves.Count == 0)
        {
            var name = vlek ? "VLEK" : "VCEK";
            throw new AttestationException(AttestationErrorCode.InvalidCollateral,
                $"The report is signed by a {name}, but no {name} certificate was found: use evidence that carries its certificate table, " +
                $"supply the {name} (DER or PEM) as collateral" + (vlek ? "." : $", or set {SnpVerifierOptions.SectionName}:KdsBaseUrl."));
        }

        // Several candidates (a folder of VCEKs): prefer the one issued for this chip and TCB.
        return leaves.FirstOrDefault(c => Fits(c, report, vlek))
            ?? leaves.FirstOrDefault(c => vlek || HardwareIdMatches(c.HardwareId, report.ChipId))
            ?? leaves[0];
    }

    /// <summary>True when a VCEK/VLEK was issued for this report's chip (VCEK) and reported TCB.</summary>
    private static bool Fits(AmdCertificate leaf, SnpReport report, bool vlek)
    {
        var turin = SnpProducts.Parse(leaf.ProductName) == SnpProduct.Turin;
        var tcb = SnpTcb.FromBytes(report.ReportedTcbBytes, turin);
        return (vlek || HardwareIdMatches(leaf.HardwareId, report.ChipId))
            && leaf.Bootloader == tcb.Bootloader && leaf.Tee == tcb.Tee && leaf.Snp == tcb.Snp && leaf.Microcode == tcb.Microcode
            && (!turin || leaf.Fmc == tcb.Fmc);
    }

    private SnpProduct ResolveProduct(SnpReport report, AmdChain chain)
    {
        var fromCertificate = SnpProducts.Parse(chain.Leaf.ProductName);
        var fromCpuid = report.Cpuid is { } cpuid ? SnpProducts.FromCpuid(cpuid.Family, cpuid.Model) : SnpProduct.Unknown;
        var known = new[] { chain.Product, fromCertificate, fromCpuid }.Where(p => p != SnpProduct.Unknown).Distinct().ToList();
        if (known.Count > 1)
        {
            throw new AttestationException(AttestationErrorCode.InvalidCertificateChain,
                $"The product lines disagree: root '{chain.Root.CommonName}', certificate product '{chain.Leaf.ProductName}', report CPUID → {fromCpuid.ToName()}; " +
                "use the certificates of the product line the report came from.");
        }

        return known.Count == 1 ? known[0] : _configuredProduct;
    }

    private static void VerifySignature(SnpReport report, AmdCertificate signer, bool vlek)
    {
        using var key = signer.Certificate.GetECDsaPublicKey();
        if (key is null || key.KeySize != 384)
        {
            throw new AttestationException(AttestationErrorCode.InvalidCertificateChain,
                $"The {(vlek ? "VLEK" : "VCEK")} certificate does not hold an ECDSA P-384 key.");
        }

        if (!key.VerifyData(report.SignedBytes, report.SignatureP1363(), HashAlgorithmName.SHA384))
        {
            throw new AttestationException(AttestationErrorCode.InvalidSignature,
                $"The SEV-SNP report signature does not verify with the {(vlek ? "VLEK" : "VCEK")} '{signer.Certificate.Subject}'; " +
                "the report was altered or the certificate belongs to another chip or TCB.");
        }
    }

    private static void CheckBinding(SnpReport report, AmdCertificate signer, SnpTcb tcb, bool vlek, SnpProduct product)
    {
        var name = vlek ? "VLEK" : "VCEK";
        var mismatches = new List<string>();
        Compare("blSPL", signer.Bootloader, tcb.Bootloader);
        Compare("teeSPL", signer.Tee, tcb.Tee);
        Compare("snpSPL", signer.Snp, tcb.Snp);
        Compare("ucodeSPL", signer.Microcode, tcb.Microcode);
        if (product == SnpProduct.Turin)
        {
            Compare("fmcSPL", signer.Fmc, tcb.Fmc ?? 0);
        }

        if (mismatches.Count > 0)
        {
            throw new AttestationException(AttestationErrorCode.InvalidCollateral,
                $"The {name} was issued for another TCB than the report's reported TCB ({tcb}): {string.Join(", ", mismatches)}; " +
                $"obtain the {name} for this TCB (AMD KDS takes the reported TCB values).");
        }

        if (vlek)
        {
            return;
        }

        if (!report.ChipId.ContainsAnyExcept((byte)0))
        {
            throw new AttestationException(AttestationErrorCode.InvalidCollateral,
                "The report's chip id is masked (all zero), so the VCEK cannot be bound to the chip; request reports with the chip id or use a VLEK.");
        }

        if (!HardwareIdMatches(signer.HardwareId, report.ChipId))
        {
            throw new AttestationException(AttestationErrorCode.InvalidCollateral,
                "The VCEK belongs to another chip: its hardware id extension differs from the report's chip id; obtain the VCEK for this chip.");
        }

        void Compare(string extension, byte? certificate, byte reported)
        {
            if (certificate != reported)
            {
                mismatches.Add($"{extension} is {(certificate?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "absent")} in the certificate but {reported} in the report");
            }
        }
    }

    private static bool HardwareIdMatches(byte[]? hardwareId, ReadOnlySpan<byte> chipId) =>
        hardwareId is { Length: 64 or 8 } && chipId[..hardwareId.Length].SequenceEqual(hardwareId);
}
