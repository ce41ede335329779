using Mantle.Attestation.Intel.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mantle.Attestation.Intel;

/// <summary>
/// Verifies Intel SGX DCAP quotes (versions 3, 4 and 5 with an SGX body) to the Intel SGX Root CA:
/// quote signature, QE report signature and binding, PCK chain, CRLs, TCB info and QE identity.
/// Claims: measurement = MRENCLAVE, signer = MRSIGNER, product id = ISVPRODID, svn = ISVSVN, <c>sgx.*</c> fields.
/// </summary>
public sealed class SgxQuoteVerifier : IEvidenceVerifier
{
    private readonly IntelQuoteVerifierOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a verifier; the options are read at every verification.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    /// <param name="options">Time, collateral source, trusted roots; see <see cref="IntelQuoteVerifierOptions"/>.</param>
    /// <param name="logger">Receives one event per verification (4201 verified, 4202 refused). Defaults to none.</param>
    public SgxQuoteVerifier(IntelQuoteVerifierOptions options, ILogger<SgxQuoteVerifier>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc/>
    public TeeType Tee => TeeType.Sgx;

    /// <inheritdoc/>
    public bool CanVerify(ReadOnlySpan<byte> evidence) => DcapQuoteParser.LooksLike(evidence, TeeType.Sgx);

    /// <inheritdoc/>
    public ValueTask<AttestationClaims> VerifyAsync(ReadOnlyMemory<byte> evidence, CancellationToken cancellationToken = default) =>
        IntelQuoteVerification.VerifyAsync(TeeType.Sgx, evidence, _options, _logger, cancellationToken);
}
