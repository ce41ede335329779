namespace Mantle.Attestation.Policy;

/// <summary>The outcome of evaluating claims against an <see cref="AttestationPolicy"/>.</summary>
public sealed class PolicyDecision
{
    /// <summary>Creates a decision from its failures: allowed when there are none.</summary>
    public PolicyDecision(IReadOnlyList<PolicyFailure> failures)
    {
        ArgumentNullException.ThrowIfNull(failures);
        Failures = failures;
    }

    /// <summary>True when every rule of the policy accepted the claims.</summary>
    public bool Allowed => Failures.Count == 0;

    /// <summary>Every rule that refused, in policy order; empty when allowed.</summary>
    public IReadOnlyList<PolicyFailure> Failures { get; }

    /// <summary>One line for people: <c>allowed</c>, or <c>refused by policy: …; …</c>.</summary>
    public string Reason => Allowed ? "allowed" : "refused by policy: " + string.Join("; ", Failures.Select(f => f.Message));

    /// <summary>Throws <see cref="AttestationException"/> with <see cref="AttestationErrorCode.PolicyViolation"/> and <see cref="Reason"/> when refused.</summary>
    /// <exception cref="AttestationException">The policy refused the claims.</exception>
    public void ThrowIfDenied()
    {
        if (!Allowed)
        {
            throw new AttestationException(AttestationErrorCode.PolicyViolation, $"The evidence is authentic but {Reason}.");
        }
    }

    /// <inheritdoc />
    public override string ToString() => Reason;
}
