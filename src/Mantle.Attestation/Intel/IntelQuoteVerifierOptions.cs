using System.Security.Cryptography.X509Certificates;

namespace Mantle.Attestation.Intel;

/// <summary>Options of <see cref="SgxQuoteVerifier"/> and <see cref="TdxQuoteVerifier"/>.</summary>
public sealed class IntelQuoteVerifierOptions
{
    /// <summary>The clock for certificate, CRL and collateral validity windows. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Where TCB info, QE identity and CRLs come from: an <see cref="IntelOfflineCollateralSource"/> (files)
    /// or an <see cref="IntelPcsCollateralSource"/> (PCCS/PCS with a cache). Defaults to null (none).
    /// </summary>
    public IIntelCollateralSource? CollateralSource { get; set; }

    /// <summary>
    /// The trusted root certificates. Defaults to null, which means the built-in Intel SGX Root CA
    /// (<see cref="IntelRootCertificates.BuiltIn"/>); <see cref="IntelRootCertificates.LoadFolder"/> reads a folder of PEM files.
    /// </summary>
    public IReadOnlyList<X509Certificate2>? TrustedRoots { get; set; }

    /// <summary>
    /// When true (the default), a quote without collateral is refused with
    /// <see cref="AttestationErrorCode.InvalidCollateral"/>. When false and the source has no collateral for
    /// the platform, the quote, QE report and PCK chain are still fully verified and the TCB status is
    /// <see cref="IntelTcbStatus.NotEvaluated"/> (no CRL check happens then).
    /// </summary>
    public bool RequireCollateral { get; set; } = true;

    /// <summary>Checks the options; every problem is named by its option.</summary>
    internal void Validate()
    {
        var problems = new List<string>();
        if (TimeProvider is null)
        {
            problems.Add("IntelQuoteVerifierOptions.TimeProvider must not be null.");
        }

        if (TrustedRoots is { Count: 0 })
        {
            problems.Add("IntelQuoteVerifierOptions.TrustedRoots is empty; leave it null for the built-in Intel SGX Root CA.");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), "options");
        }
    }
}
