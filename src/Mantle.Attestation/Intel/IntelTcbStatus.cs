namespace Mantle.Attestation.Intel;

/// <summary>The TCB status strings that Intel quote verification reports in <see cref="AttestationClaims.TcbStatus"/>.</summary>
public static class IntelTcbStatus
{
    /// <summary>The platform, the quoting enclave and (TDX) the TDX module are at the latest TCB level.</summary>
    public const string UpToDate = "UpToDate";

    /// <summary>Up to date, but software mitigations for advisories are needed (see the advisory ids).</summary>
    public const string SWHardeningNeeded = "SWHardeningNeeded";

    /// <summary>Up to date, but the platform configuration needs changes (see the advisory ids).</summary>
    public const string ConfigurationNeeded = "ConfigurationNeeded";

    /// <summary>Both configuration changes and software mitigations are needed.</summary>
    public const string ConfigurationAndSWHardeningNeeded = "ConfigurationAndSWHardeningNeeded";

    /// <summary>A newer TCB (microcode, SGX/TDX module, QE) exists and the platform does not run it.</summary>
    public const string OutOfDate = "OutOfDate";

    /// <summary>Out of date, and the configuration needs changes too.</summary>
    public const string OutOfDateConfigurationNeeded = "OutOfDateConfigurationNeeded";

    /// <summary>The platform's TCB level or the quoting enclave's is revoked by Intel.</summary>
    public const string Revoked = "Revoked";

    /// <summary>The platform's TCB is below every level that the TCB info lists: Intel does not support it.</summary>
    public const string TcbLevelNotSupported = "TcbLevelNotSupported";

    /// <summary>No collateral was used (<see cref="IntelQuoteVerifierOptions.RequireCollateral"/> is false): the quote and PCK chain verified, the TCB was not evaluated.</summary>
    public const string NotEvaluated = "NotEvaluated";
}
