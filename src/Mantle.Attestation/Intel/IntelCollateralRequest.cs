namespace Mantle.Attestation.Intel;

/// <summary>What a quote needs from an <see cref="IIntelCollateralSource"/>.</summary>
/// <param name="Tee">SGX or TDX: selects the TCB info kind and the QE identity (<c>QE</c> or <c>TD_QE</c>).</param>
/// <param name="Fmspc">The platform's FMSPC from the PCK certificate, upper-case hex (12 characters).</param>
/// <param name="PckCa">The PCK CA that issued the PCK certificate: <c>processor</c> or <c>platform</c>.</param>
public sealed record IntelCollateralRequest(TeeType Tee, string Fmspc, string PckCa);
