using Mantle.Attestation.Intel.Internal;

namespace Mantle.Attestation.Intel;

/// <summary>
/// Collateral from files or memory: picks, for each quote, the bundle whose TCB info matches the TEE and
/// FMSPC and whose PCK CRL comes from the quote's PCK CA.
/// </summary>
public sealed class IntelOfflineCollateralSource : IIntelCollateralSource
{
    private readonly IntelCollateral[] _bundles;

    /// <summary>Creates a source over bundles already loaded.</summary>
    /// <exception cref="AttestationException">A bundle is malformed (<see cref="AttestationErrorCode.InvalidCollateral"/>).</exception>
    public IntelOfflineCollateralSource(IEnumerable<IntelCollateral> bundles)
    {
        ArgumentNullException.ThrowIfNull(bundles);
        _bundles = [.. bundles];
        foreach (var bundle in _bundles)
        {
            _ = bundle.Prepared;
        }
    }

    /// <summary>The bundles of this source.</summary>
    public IReadOnlyList<IntelCollateral> Bundles => _bundles;

    /// <summary>
    /// Loads every bundle found at a path: a combined JSON file, or a folder of combined JSON files and/or
    /// separate Intel PCS files (see <see cref="IntelCollateral.Load(string)"/>).
    /// </summary>
    /// <remarks>A folder without any Intel collateral (for example one holding only AMD certificates) gives an empty source.</remarks>
    /// <exception cref="AttestationException">The path does not exist, or an Intel collateral file is malformed or incomplete (<see cref="AttestationErrorCode.InvalidCollateral"/>).</exception>
    public static IntelOfflineCollateralSource Load(string path) => new(CollateralFiles.Load(path));

    /// <inheritdoc/>
    public ValueTask<IntelCollateral?> GetCollateralAsync(IntelCollateralRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var id = request.Tee == TeeType.Tdx ? "TDX" : "SGX";
        IntelCollateral? sameFmspc = null;
        foreach (var bundle in _bundles)
        {
            var parsed = bundle.Prepared;
            if (parsed.TcbInfo.Id != id || !string.Equals(parsed.TcbInfo.Fmspc, request.Fmspc, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            sameFmspc ??= bundle;
            if (parsed.PckCrlIssuerChain[0].Subject.Contains(request.PckCa, StringComparison.OrdinalIgnoreCase))
            {
                return ValueTask.FromResult<IntelCollateral?>(bundle);
            }
        }

        // A single bundle is returned even when it does not match, so that the verifier can say what is wrong.
        return ValueTask.FromResult(sameFmspc ?? (_bundles.Length == 1 ? _bundles[0] : null));
    }
}
