using Mantle.Attestation.Sim;

namespace Mantle.Attestation;

/// <summary>
/// What <see cref="EvidenceVerifiers"/> builds a verifier from: whether and which simulated platform key to trust,
/// the collateral and roots for hardware evidence, where to fetch collateral, and the verification clock.
/// </summary>
public sealed class EvidenceVerifierOptions
{
    /// <summary>
    /// Whether <c>sim</c> evidence is verified at all. Defaults to true. When false, sim evidence is refused as
    /// <see cref="AttestationErrorCode.Unsupported"/> ("no sim verifier is configured").
    /// </summary>
    public bool AcceptSim { get; set; } = true;

    /// <summary>
    /// The trusted simulated platform key, already loaded (tests, one-process demos). Defaults to null: the key is read
    /// from <see cref="SimKeyPath"/>. Only its public key is used.
    /// </summary>
    public SimulatedTee? SimPlatform { get; set; }

    /// <summary>The simulated platform key file (public or private PEM). Defaults to null: <see cref="SimulatedTee.DefaultKeyPath"/>.</summary>
    public string? SimKeyPath { get; set; }

    /// <summary>
    /// A collateral file or folder, handed to the verifier of the TEE the evidence turns out to be: Intel PCS JSON or a
    /// combined <c>dcapqvl</c>-style JSON for SGX/TDX; a VCEK/VLEK certificate, PEM chain or certificate table for
    /// SEV-SNP; a folder may mix them. Defaults to null.
    /// </summary>
    public string? CollateralPath { get; set; }

    /// <summary>A folder of PEM root certificates that replaces the built-in Intel and AMD roots. Defaults to null (the built-in roots).</summary>
    public string? RootsDirectory { get; set; }

    /// <summary>Fetch Intel collateral from this PCCS/PCS base URL (cached) when <see cref="CollateralPath"/> is not given. Defaults to null.</summary>
    public Uri? PccsUrl { get; set; }

    /// <summary>Fetch AMD VCEKs from this KDS base URL (cached) when the evidence and the collateral carry none. Defaults to null.</summary>
    public Uri? KdsUrl { get; set; }

    /// <summary>The clock for certificate and collateral validity. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Whether SGX and TDX quotes without TCB collateral are refused. Defaults to true. When false such a quote, its QE
    /// report and PCK chain are still fully verified and its TCB status is <c>NotEvaluated</c>.
    /// </summary>
    public bool RequireCollateral { get; set; } = true;

    /// <summary>
    /// When true, each TEE's verifier is created (its key, collateral and roots read) only when evidence of that TEE
    /// first shows up, so collateral for one TEE never trips another and the sim key is read only for sim evidence.
    /// When false (the default), everything is read by <see cref="EvidenceVerifiers.CreateAll"/>, so that a service
    /// refuses to start with a missing key or malformed collateral.
    /// </summary>
    public bool CreateOnFirstUse { get; set; }
}
