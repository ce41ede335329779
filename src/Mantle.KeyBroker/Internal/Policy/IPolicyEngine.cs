using Mantle.Attestation;

namespace Mantle.KeyBroker.Internal.Policy;

/// <summary>Parses and evaluates attestation policy documents (JSON).</summary>
internal interface IPolicyEngine
{
    /// <summary>Returns null when the document is a valid policy, otherwise what is wrong with it.</summary>
    string? Validate(string document);

    PolicyDecision Evaluate(string document, AttestationClaims claims);
}

/// <summary>The outcome of a policy evaluation; <see cref="Reasons"/> name each failed claim, its expected and actual value.</summary>
internal sealed record PolicyDecision(bool Allowed, IReadOnlyList<string> Reasons);
