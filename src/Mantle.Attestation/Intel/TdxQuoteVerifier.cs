using Mantle.Attestation.Intel.Internal;

namespace Mantle.Attestation.Intel;

/// <summary>
/// Verifies Intel TDX quotes (version 4, and version 5 with a TDX 1.0 or 1.5 body) to the Intel SGX Root CA:
/// quote signature, QE report signature and binding, PCK chain, CRLs, TCB info and QE identity (TD_QE) and the TDX module identity.
/// Claims: measurement = MRTD, no signer, <c>tdx.*</c> fields (RTMRs, MRCONFIGID, MROWNER, TD attributes, …).
/// </summary>
public sealed class TdxQuoteVerifier : IEvidenceVerifier
{
    private readonly IntelQuoteVerifierOptions _options;

    /// <summary>Creates a verifier; the options are read at every verification.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public TdxQuoteVerifier(IntelQuoteVerifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <inheritdoc/>
    public TeeType Tee => TeeType.Tdx;

    /// <inheritdoc/>
    public bool CanVerify(ReadOnlySpan<byte> evidence) => DcapQuoteParser.LooksLike(evidence, TeeType.Tdx);

    /// <inheritdoc/>
    public ValueTask<AttestationClaims> VerifyAsync(ReadOnlyMemory<byte> evidence, CancellationToken cancellationToken = default) =>
        IntelQuoteVerification.VerifyAsync(TeeType.Tdx, evidence, _options, cancellationToken);
}
