using Mantle.Attestation.Policy;

namespace Mantle.Attestation;

/// <summary>Verified claims together with a policy's decision about them.</summary>
/// <param name="Claims">The claims of the evidence, which verified.</param>
/// <param name="Decision">What the policy decided about the claims.</param>
public sealed record AttestationResult(AttestationClaims Claims, PolicyDecision Decision)
{
    /// <summary>True when the evidence verified and the policy accepted it.</summary>
    public bool Allowed => Decision.Allowed;
}
