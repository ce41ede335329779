using Mantle.Attestation.Intel.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mantle.Attestation.Intel;

/// <summary>
/// Verifies Intel TDX quotes (version 4, and version 5 with a TDX 1.0 or 1.5 body) to the Intel SGX Root CA:
/// quote signature, QE report signature and binding, PCK chain, CRLs, TCB info and QE identity (TD_QE) and the TDX module identity.
/// Claims: measurement = MRTD, no signer, <c>tdx.*</c> fields (RTMRs, MRCONFIGID, MROWNER, TD attributes, …).
/// </summary>
public sealed class TdxQuoteVerifier : IEvidenceVerifier
{
    private readonly IntelQuoteVerifierOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a verifier; the options are read at every verification.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    /// <param name="options">Time, collateral source, trusted roots; see <see cref="IntelQuoteVerifierOptions"/>.</param>
    /// <param name="logger">Receives one event per verification (4201 verified, 4202 refused). Defaults to none.</param>
    public TdxQuoteVerifier(IntelQuoteVerifierOptions options, ILogger<TdxQuoteVerifier>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc/>
    public TeeType Tee => TeeType.Tdx;

    /// <inheritdoc/>
    public bool CanVerify(ReadOnlySpan<byte> evidence) => DcapQuoteParser.LooksLike(evidence, TeeType.Tdx);

    /// <inheritdoc/>
    public ValueTask<AttestationClaims> VerifyAsync(ReadOnlyMemory<byte> evidence, CancellationToken cancellationToken = default) =>
        IntelQuoteVerification.VerifyAsync(TeeType.Tdx, evidence, _options, _logger, cancellationToken);
}
