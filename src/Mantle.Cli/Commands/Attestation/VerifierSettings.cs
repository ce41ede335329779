namespace Mantle.Cli.Commands.Attestation;

/// <summary>What the attestation commands were told about trust: sim key, collateral, roots, time.</summary>
/// <param name="SimKey">The simulated platform key file, or null for the default one.</param>
/// <param name="Collateral">A collateral file or folder, or null.</param>
/// <param name="Roots">A folder of root certificates replacing the built-in ones, or null.</param>
/// <param name="Time">The verification clock.</param>
/// <param name="RequireCollateral">Whether Intel quotes without TCB collateral are refused.</param>
internal sealed record VerifierSettings(string? SimKey, string? Collateral, string? Roots, TimeProvider Time, bool RequireCollateral);
