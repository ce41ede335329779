namespace Mantle.Attestation.Intel;

/// <summary>Options of <see cref="IntelPcsCollateralSource"/>.</summary>
public sealed class IntelPcsOptions
{
    /// <summary>
    /// The base URL of Intel PCS or a PCCS, without the <c>/sgx/certification/v4</c> part.
    /// Defaults to <c>https://api.trustedservices.intel.com</c>.
    /// </summary>
    public Uri BaseUrl { get; set; } = new("https://api.trustedservices.intel.com");

    /// <summary>
    /// Where the Intel SGX Root CA CRL is fetched. Defaults to null: <c>{BaseUrl}/sgx/certification/v4/rootcacrl</c>
    /// (the PCCS path). For Intel PCS itself use <c>https://certificates.trustedservices.intel.com/IntelSGXRootCA.der</c>.
    /// </summary>
    public Uri? RootCaCrlUrl { get; set; }

    /// <summary>The clock for cache expiry. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// The longest time a fetched bundle is reused, even when its <c>nextUpdate</c> is later. Defaults to 24 hours.
    /// </summary>
    public TimeSpan MaxCacheAge { get; set; } = TimeSpan.FromHours(24);
}
