using Mantle.Attestation;

namespace Mantle.KeyBroker.Internal.Policy;

internal sealed class AttestationPolicyEngine : IPolicyEngine
{
    public string? Validate(string document) => "the attestation policy engine is not available in this build";

    public PolicyDecision Evaluate(string document, AttestationClaims claims) =>
        new(false, ["the attestation policy engine is not available in this build"]);
}
