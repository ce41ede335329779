namespace Mantle.Attestation.Intel;

/// <summary>Supplies Intel collateral for a quote: an offline bundle, or a PCCS/PCS with a cache.</summary>
public interface IIntelCollateralSource
{
    /// <summary>Returns the collateral for the platform, or null when this source has none for it.</summary>
    /// <exception cref="AttestationException">The source failed (network, malformed response): <see cref="AttestationErrorCode.InvalidCollateral"/>.</exception>
    ValueTask<IntelCollateral?> GetCollateralAsync(IntelCollateralRequest request, CancellationToken cancellationToken = default);
}
