using Mantle.Attestation.Internal;
using Mantle.Attestation.Policy;

namespace Mantle.Attestation;

/// <summary>
/// Verifies evidence of any configured kind: detects the TEE from the bytes (each verifier's
/// <see cref="IEvidenceVerifier.CanVerify"/>), verifies, and optionally evaluates a policy.
/// </summary>
/// <example>
/// <code>
/// var verifier = new EvidenceVerifier([new SimEvidenceVerifier(SimulatedTee.Load())]);
/// var result = await verifier.VerifyAndEvaluateAsync(evidence, AttestationPolicy.Load("policy.json"));
/// </code>
/// </example>
public sealed class EvidenceVerifier
{
    private readonly IEvidenceVerifier[] _verifiers;

    /// <summary>Creates a dispatcher over the given verifiers (at most one per TEE kind).</summary>
    /// <exception cref="ArgumentException">Two verifiers are for the same TEE kind.</exception>
    public EvidenceVerifier(IEnumerable<IEvidenceVerifier> verifiers)
    {
        ArgumentNullException.ThrowIfNull(verifiers);
        _verifiers = verifiers.ToArray();
        var duplicate = _verifiers.GroupBy(v => v.Tee).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"More than one verifier is configured for {duplicate.Key.ToName()} evidence.", nameof(verifiers));
        }
    }

    /// <summary>The TEE kinds this dispatcher can verify.</summary>
    public IReadOnlyList<TeeType> Tees => _verifiers.Select(v => v.Tee).ToArray();

    /// <summary>Returns the TEE kind of the configured verifier that recognizes the bytes, or null.</summary>
    public TeeType? Detect(ReadOnlySpan<byte> evidence)
    {
        foreach (var verifier in _verifiers)
        {
            if (verifier.CanVerify(evidence))
            {
                return verifier.Tee;
            }
        }

        return null;
    }

    /// <summary>Detects the kind of evidence and verifies it.</summary>
    /// <exception cref="AttestationException">No configured verifier recognizes the bytes, or the evidence was refused.</exception>
    public ValueTask<AttestationClaims> VerifyAsync(ReadOnlyMemory<byte> evidence, CancellationToken cancellationToken = default)
    {
        foreach (var verifier in _verifiers)
        {
            if (verifier.CanVerify(evidence.Span))
            {
                return verifier.VerifyAsync(evidence, cancellationToken);
            }
        }

        throw Unrecognized(evidence.Span);
    }

    /// <summary>
    /// Verifies the evidence, then evaluates the policy. An authentic piece of evidence that the policy
    /// refuses is a result with <see cref="AttestationResult.Allowed"/> false (see
    /// <see cref="PolicyDecision.ThrowIfDenied"/>), not an exception.
    /// </summary>
    /// <exception cref="AttestationException">The evidence is not recognized or not authentic.</exception>
    public async ValueTask<AttestationResult> VerifyAndEvaluateAsync(ReadOnlyMemory<byte> evidence, AttestationPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var claims = await VerifyAsync(evidence, cancellationToken).ConfigureAwait(false);
        return new AttestationResult(claims, policy.Evaluate(claims));
    }

    private AttestationException Unrecognized(ReadOnlySpan<byte> evidence)
    {
        var configured = _verifiers.Length == 0 ? "none" : string.Join(", ", _verifiers.Select(v => v.Tee.ToName()));
        if (evidence.IsEmpty)
        {
            return new AttestationException(AttestationErrorCode.MalformedEvidence, "The evidence is empty.");
        }

        if (EvidenceSniffer.Guess(evidence) is { } guess && _verifiers.All(v => v.Tee != guess))
        {
            return new AttestationException(
                AttestationErrorCode.Unsupported,
                $"The evidence looks like {guess.ToName()} evidence, but no {guess.ToName()} verifier is configured (configured: {configured}).");
        }

        var head = Convert.ToHexStringLower(evidence[..Math.Min(8, evidence.Length)]);
        return new AttestationException(
            AttestationErrorCode.MalformedEvidence,
            $"The evidence ({evidence.Length} bytes, starting {head}) is not of any kind this verifier accepts (configured: {configured}); check that the file is raw evidence (an SGX/TDX quote, an SNP report or sim evidence), not base64 or hex.");
    }
}
