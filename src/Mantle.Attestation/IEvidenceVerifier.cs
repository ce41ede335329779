namespace Mantle.Attestation;

/// <summary>Verifies one kind of evidence to its vendor root and turns it into claims.</summary>
public interface IEvidenceVerifier
{
    /// <summary>The kind of TEE whose evidence this verifier checks.</summary>
    TeeType Tee { get; }

    /// <summary>Returns true when the bytes look like this verifier's kind of evidence (a cheap check of magic and version fields).</summary>
    bool CanVerify(ReadOnlySpan<byte> evidence);

    /// <summary>
    /// Verifies the evidence (signatures, certificate chains, revocation, collateral validity at the
    /// verifier's time) and returns its claims. The TCB status is reported, not judged: judging is the
    /// policy's job.
    /// </summary>
    /// <exception cref="AttestationException">The evidence was refused; the message says why.</exception>
    ValueTask<AttestationClaims> VerifyAsync(ReadOnlyMemory<byte> evidence, CancellationToken cancellationToken = default);
}
