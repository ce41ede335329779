using Mantle.Attestation.Intel.Internal;

namespace Mantle.Attestation.Intel;

/// <summary>
/// The Intel PCS collateral that evaluates one platform's quote: TCB info and QE identity (with their
/// signatures and issuer chain), the PCK CRL (with its issuer chain) and the Intel SGX Root CA CRL.
/// Instances are immutable; the verifier checks every signature, chain and validity window itself.
/// </summary>
/// <remarks>
/// <see cref="TcbInfoJson"/> and <see cref="QeIdentityJson"/> must be the exact bytes of the
/// <c>tcbInfo</c> and <c>enclaveIdentity</c> JSON values as served, because the signatures cover those bytes.
/// Load bundles from files with <see cref="Load(string)"/> or <see cref="IntelOfflineCollateralSource"/>.
/// </remarks>
public sealed class IntelCollateral
{
    /// <summary>The UTF-8 text of the <c>tcbInfo</c> JSON value, byte for byte as signed.</summary>
    public required ReadOnlyMemory<byte> TcbInfoJson { get; init; }

    /// <summary>The TCB info signature: ECDSA P-256, raw r‖s (64 bytes).</summary>
    public required ReadOnlyMemory<byte> TcbInfoSignature { get; init; }

    /// <summary>PEM of the TCB signing certificate and the root (the <c>TCB-Info-Issuer-Chain</c> header).</summary>
    public required string TcbInfoIssuerChain { get; init; }

    /// <summary>The UTF-8 text of the <c>enclaveIdentity</c> JSON value, byte for byte as signed.</summary>
    public required ReadOnlyMemory<byte> QeIdentityJson { get; init; }

    /// <summary>The QE identity signature: ECDSA P-256, raw r‖s (64 bytes).</summary>
    public required ReadOnlyMemory<byte> QeIdentitySignature { get; init; }

    /// <summary>PEM of the QE identity signing chain (the <c>SGX-Enclave-Identity-Issuer-Chain</c> header).</summary>
    public required string QeIdentityIssuerChain { get; init; }

    /// <summary>DER of the PCK CRL issued by the PCK Processor CA or PCK Platform CA that issued the quote's PCK certificate.</summary>
    public required ReadOnlyMemory<byte> PckCrl { get; init; }

    /// <summary>PEM of the PCK CRL issuer chain (the <c>SGX-PCK-CRL-Issuer-Chain</c> header).</summary>
    public required string PckCrlIssuerChain { get; init; }

    /// <summary>DER of the Intel SGX Root CA CRL (revokes intermediate CAs).</summary>
    public required ReadOnlyMemory<byte> RootCaCrl { get; init; }

    /// <summary>The FMSPC that the TCB info applies to (upper-case hex), read from the TCB info without verifying it.</summary>
    public string Fmspc => Prepared.TcbInfo.Fmspc;

    /// <summary>The TCB info id: <c>SGX</c> or <c>TDX</c>.</summary>
    public string TcbInfoId => Prepared.TcbInfo.Id;

    /// <summary>The earliest <c>nextUpdate</c> of the TCB info, QE identity and CRLs: when this bundle should be refreshed.</summary>
    public DateTimeOffset NextUpdate => Prepared.NextUpdate;

    internal ParsedCollateral Prepared => field ??= ParsedCollateral.Parse(this);

    /// <summary>
    /// Loads one bundle from a file (a combined JSON with <c>tcb_info</c>, <c>qe_identity</c>, CRLs and chains)
    /// or from a folder of separate PCS files (TCB info JSON, QE identity JSON, TCB signing chain PEM, PCK CRL
    /// DER/PEM with its issuer chain PEM, root CA CRL DER/PEM). A folder with several TCB infos or PCK CRLs
    /// needs <see cref="IntelOfflineCollateralSource.Load(string)"/> instead.
    /// </summary>
    /// <exception cref="AttestationException">The files are missing, malformed or hold more than one bundle (<see cref="AttestationErrorCode.InvalidCollateral"/>).</exception>
    public static IntelCollateral Load(string path)
    {
        var bundles = CollateralFiles.Load(path);
        return bundles.Count switch
        {
            1 => bundles[0],
            0 => throw IntelErrors.Collateral($"'{path}' holds no Intel collateral (combined JSON, TCB info, QE identity, signing chain or CRL files)."),
            _ => throw IntelErrors.Collateral($"'{path}' holds {bundles.Count} collateral bundles; load it with IntelOfflineCollateralSource.Load to pick one per quote."),
        };
    }

    /// <summary>
    /// Parses the combined JSON form: <c>tcb_info</c> and <c>qe_identity</c> as JSON strings, their
    /// <c>*_signature</c> as hex, <c>*_issuer_chain</c> as PEM, <c>pck_crl</c> and <c>root_ca_crl</c> as hex DER.
    /// </summary>
    /// <exception cref="AttestationException">A field is missing or malformed (<see cref="AttestationErrorCode.InvalidCollateral"/>).</exception>
    public static IntelCollateral FromCombinedJson(ReadOnlySpan<byte> utf8Json) => CollateralFiles.FromCombinedJson(utf8Json, "combined collateral JSON");
}
