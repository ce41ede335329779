namespace Mantle.Attestation.Policy;

/// <summary>How <see cref="PinnedPolicy"/> writes a policy beyond the measurement fields it pins.</summary>
public sealed class PinnedPolicyOptions
{
    /// <summary>Accept TEEs in debug mode (<c>"allow_debug": true</c>). Defaults to false: a debug TEE's memory is readable by the host.</summary>
    public bool AllowDebug { get; init; }

    /// <summary>The accepted TCB statuses. Defaults to <c>UpToDate</c> only.</summary>
    public IReadOnlyList<string> TcbStatuses { get; init; } = ["UpToDate"];

    /// <summary>More claims of the evidence to pin to their value (for example <c>tdx.rtmr3</c>). Defaults to none.</summary>
    public IReadOnlyList<string> ExtraClaims { get; init; } = [];

    /// <summary>
    /// SGX only: pin MRSIGNER, ISVPRODID and a minimum ISVSVN but not MRENCLAVE, so that later enclaves from the same
    /// signer with the same or a higher ISVSVN are accepted too. Defaults to false (MRENCLAVE is pinned as well).
    /// </summary>
    public bool SignerOnly { get; init; }
}
