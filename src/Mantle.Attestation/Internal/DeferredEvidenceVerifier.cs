namespace Mantle.Attestation.Internal;

/// <summary>Recognizes evidence with a cheap instance; verifies with the configured one, created on first use.</summary>
internal sealed class DeferredEvidenceVerifier(IEvidenceVerifier detector, Func<IEvidenceVerifier> create) : IEvidenceVerifier
{
    private readonly Lazy<IEvidenceVerifier> _verifier = new(create);

    public TeeType Tee => detector.Tee;

    public bool CanVerify(ReadOnlySpan<byte> evidence) => detector.CanVerify(evidence);

    public ValueTask<AttestationClaims> VerifyAsync(ReadOnlyMemory<byte> evidence, CancellationToken cancellationToken = default) =>
        _verifier.Value.VerifyAsync(evidence, cancellationToken);
}
