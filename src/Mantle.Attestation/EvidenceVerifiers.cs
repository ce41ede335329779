using Mantle.Attestation.Intel;
using Mantle.Attestation.Internal;
using Mantle.Attestation.Sim;
using Mantle.Attestation.Snp;

namespace Mantle.Attestation;

/// <summary>
/// Builds the evidence verifiers of every TEE this library knows (sim, SGX, TDX, SEV-SNP) from one set of trust
/// settings: the one place that turns a sim key, collateral, roots and collateral services into verifiers.
/// </summary>
/// <example>
/// <code>
/// var verifier = EvidenceVerifiers.Create(new EvidenceVerifierOptions { CollateralPath = "collateral/", CreateOnFirstUse = true });
/// var claims = await verifier.VerifyAsync(evidence);
/// </code>
/// </example>
public static class EvidenceVerifiers
{
    /// <summary>A dispatcher over <see cref="CreateAll"/>.</summary>
    /// <exception cref="ArgumentException">A path in the options does not exist.</exception>
    /// <exception cref="AttestationException">The sim key, collateral or roots cannot be read (only when <see cref="EvidenceVerifierOptions.CreateOnFirstUse"/> is false).</exception>
    public static EvidenceVerifier Create(EvidenceVerifierOptions options) => new(CreateAll(options));

    /// <summary>
    /// One verifier per TEE: sim (when <see cref="EvidenceVerifierOptions.AcceptSim"/>), then SGX, TDX and SEV-SNP.
    /// With <see cref="EvidenceVerifierOptions.CreateOnFirstUse"/>, a verifier that cannot be created when its evidence
    /// shows up throws that evidence's <see cref="AttestationException"/> (or <see cref="ArgumentException"/>) then.
    /// </summary>
    /// <exception cref="ArgumentException">A path in the options does not exist.</exception>
    /// <exception cref="AttestationException">The sim key, collateral or roots cannot be read (only when <see cref="EvidenceVerifierOptions.CreateOnFirstUse"/> is false).</exception>
    public static IReadOnlyList<IEvidenceVerifier> CreateAll(EvidenceVerifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.CollateralPath is { } collateral && !File.Exists(collateral) && !Directory.Exists(collateral))
        {
            throw new ArgumentException($"The collateral path '{collateral}' is neither a file nor a folder.", nameof(options));
        }

        if (options.RootsDirectory is { } roots && !Directory.Exists(roots))
        {
            throw new ArgumentException($"The roots folder '{roots}' is not a folder of PEM root certificates.", nameof(options));
        }

        var verifiers = new List<IEvidenceVerifier>();
        if (options.AcceptSim)
        {
            verifiers.Add(Make(options, () => new SimEvidenceVerifier(SimulatedTee.CreateEphemeral()), () => new SimEvidenceVerifier(SimPlatform(options))));
        }

        if (options.CreateOnFirstUse)
        {
            // Intel verifiers made on first use share nothing, so a collateral folder is read once per TEE; that is
            // the price of not reading Intel collateral at all for SNP evidence.
            verifiers.Add(Make(options, () => new SgxQuoteVerifier(new IntelQuoteVerifierOptions()), () => new SgxQuoteVerifier(IntelOptions(options))));
            verifiers.Add(Make(options, () => new TdxQuoteVerifier(new IntelQuoteVerifierOptions()), () => new TdxQuoteVerifier(IntelOptions(options))));
        }
        else
        {
            var intel = IntelOptions(options);
            verifiers.Add(new SgxQuoteVerifier(intel));
            verifiers.Add(new TdxQuoteVerifier(intel));
        }

        verifiers.Add(Make(options, () => new SnpReportVerifier(), () => new SnpReportVerifier(new SnpVerifierOptions
        {
            TimeProvider = options.TimeProvider,
            CollateralPath = options.CollateralPath,
            RootsDirectory = options.RootsDirectory,
            KdsBaseUrl = options.KdsUrl,
        })));
        return verifiers;
    }

    private static IEvidenceVerifier Make(EvidenceVerifierOptions options, Func<IEvidenceVerifier> detector, Func<IEvidenceVerifier> create) =>
        options.CreateOnFirstUse ? new DeferredEvidenceVerifier(detector(), create) : create();

    private static SimulatedTee SimPlatform(EvidenceVerifierOptions options)
    {
        if (options.SimPlatform is { } platform)
        {
            return platform.ToPublicOnly();
        }

        using var loaded = SimulatedTee.Load(options.SimKeyPath);
        return loaded.ToPublicOnly();
    }

    private static IntelQuoteVerifierOptions IntelOptions(EvidenceVerifierOptions options) => new()
    {
        TimeProvider = options.TimeProvider,
        CollateralSource = options.CollateralPath is { } path ? IntelOfflineCollateralSource.Load(path)
            : options.PccsUrl is { } pccs ? new IntelPcsCollateralSource(new HttpClient(), new IntelPcsOptions { BaseUrl = pccs, TimeProvider = options.TimeProvider })
            : null,
        TrustedRoots = options.RootsDirectory is { } roots ? IntelRootCertificates.LoadFolder(roots) : null,
        RequireCollateral = options.RequireCollateral,
    };
}
